"""Every page staff see, checked by axe-core against WCAG 2.2 A and AA: at a 1280-px desk in both
languages, and the pages psychologists, supervisors and administrators open on a phone also at
390 px. Against the synthetic demo (every role, a released report, an open wave with cases), on
both databases (``backend``).
"""

from __future__ import annotations

from collections import defaultdict

from playwright.sync_api import Page

from tests.support.browser import DESK, VIEWPORT, AxeAudit
from tests.support.demo_site import STAFF_PAGES, DemoSite, StaffBrowsers

UNTITLED = "心安 Xinan"  # base.html's title when a page names none (WCAG 2.4.2)


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
