"""Every page staff see, checked by axe-core against WCAG 2.2 A and AA: at a 1280-px desk in both
languages, and the pages psychologists, supervisors and administrators open on a phone also at
390 px. Against the synthetic demo (every role, a released report, an open wave with cases), on
both databases (``backend``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from playwright.sync_api import Page

from tests.e2e.demo_site import NEWCOMER, DemoData, DemoSite, StaffBrowsers
from tests.e2e.support import DESK, VIEWPORT, AxeAudit


@dataclass(frozen=True)
class StaffPage:
    """A page, whose browser opens it (a login, or None for nobody), and whether it is one
    that staff open on a phone too."""

    who: str | None
    path: str  # with ``{field}`` of DemoData
    name: str
    phone: bool = False
    sample: str = ""  # what axe may skip (see AxeAudit.check)

    def login(self, data: DemoData) -> str | None:
        """The username of the browser that opens this page."""
        return data.case_holder if self.who == "holder" else self.who

    def url(self, site: DemoSite) -> str:
        """The page's address on the demo server."""
        return site.url(self.path.format(**vars(site.data)))


UNTITLED = "心安 Xinan"  # base.html's title when a page names none (WCAG 2.4.2)
# The report's tables come from one loop of one template: axe reads the first two of each section.
REPORT_SAMPLE = ".report-section > figure.report-table:nth-of-type(n+3)"
STAFF_PAGES = (
    StaffPage(None, "/login", "login", phone=True),
    StaffPage(None, "/nowhere", "not found"),
    StaffPage("holder", "/", "home"),
    StaffPage("holder", "/cases", "my cases", phone=True),
    StaffPage("holder", "/cases/{case}", "a case", phone=True),
    StaffPage("holder", "/outreach", "outreach", phone=True),
    StaffPage("holder", "/inbox/", "inbox"),
    StaffPage("holder", "/account/password", "change password"),
    StaffPage("sup.east", "/district", "district queue", phone=True),
    StaffPage("sysadmin", "/waves", "waves"),
    StaffPage("sysadmin", "/waves/{open_wave}", "open wave", phone=True),
    StaffPage("sysadmin", "/waves/{draft_wave}", "draft wave"),
    StaffPage("sysadmin", "/waves/{draft_wave}/edit", "edit wave"),
    StaffPage("sysadmin", "/waves/new", "new wave"),
    StaffPage("sysadmin", "/waves/{open_wave}/sheets", "sheets"),
    StaffPage("sysadmin", "/waves/{open_wave}/sheets/{school}", "a school's sheet"),
    StaffPage("analyst", "/reports", "reports"),
    StaffPage("analyst", "/reports/{released_wave}", "a report", True, REPORT_SAMPLE),
    StaffPage("analyst", "/reports/{released_wave}/print", "print layout", sample=REPORT_SAMPLE),
    StaffPage("secadmin1", "/staff/accounts", "accounts"),
    StaffPage("secadmin1", "/staff/accounts/{account}", "an account"),
    StaffPage("secadmin1", "/staff/accounts/new", "new account"),
    StaffPage("secadmin1", "/staff/accounts/import", "import accounts"),
    StaffPage("auditor", "/audit/", "audit log"),
    StaffPage("auditor", "/audit/verify", "audit verification"),
    StaffPage(NEWCOMER, "/account/setup", "first login: set up"),
)


def set_language(page: Page, site: DemoSite, lang: str) -> None:
    """Choose the language for this browser (the choice is kept in its session cookie)."""
    page.goto(site.url(f"/lang/{lang}"))


def check_states(browsers: StaffBrowsers, site: DemoSite, lang: str, audit: AxeAudit) -> None:
    """Pages that answer a form: a failed login, a case with its teacher revealed."""
    page = browsers.page(None)
    page.set_viewport_size(DESK)  # type: ignore[arg-type]
    page.goto(site.url("/login"))
    page.fill("#username", "nobody")
    page.fill("#password", "wrong")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("button[type=submit]")
    assert page.locator(".flash.error").count() == 1
    audit.check(page, f"[{lang}] login, failed")
    page = browsers.page(site.data.case_holder)
    page.goto(site.url(f"/cases/{site.data.case}"))
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("#reveal")
    assert page.is_visible("#identity")
    audit.check(page, f"[{lang}] a case, revealed")


def test_every_staff_page_passes_axe_at_a_desk_in_both_languages_and_on_a_phone(
    demo_site: DemoSite, staff_browsers: StaffBrowsers
) -> None:
    audit = AxeAudit()
    titles: dict[str, list[str]] = defaultdict(list)
    for lang in ("zh-CN", "en"):
        chosen: set[str | None] = set()
        for spec in STAFF_PAGES:
            who = spec.login(demo_site.data)
            page = staff_browsers.page(who)
            if who not in chosen:
                set_language(page, demo_site, lang)
                chosen.add(who)
            page.set_viewport_size(DESK)  # type: ignore[arg-type]
            page.goto(spec.url(demo_site))
            audit.check(page, f"[{lang}] {spec.name}", spec.sample)
            titles[page.title()].append(spec.name)
            if spec.phone:
                page.set_viewport_size(VIEWPORT)  # type: ignore[arg-type]
                audit.check(page, f"[{lang}] {spec.name}, phone", spec.sample)
        check_states(staff_browsers, demo_site, lang, audit)
    audit.assert_clean()
    assert not titles[UNTITLED], f"pages titled only {UNTITLED!r}: {titles[UNTITLED]}"
