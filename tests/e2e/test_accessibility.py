"""Every page a teacher can meet, checked by axe-core against WCAG 2.2 A and AA, in Simplified
Chinese and in English, on a 390×844 phone: each step of the link, each questionnaire page, the
errors a teacher can make on the way, the review with an item missing, the receipt, the results,
a forgotten PIN, withdrawal, declining, and the problem pages. Each step has a title of its own.

A keyboard alone answers a questionnaire page, with a focus ring that can be seen, and nothing
scrolls sideways at 320 CSS px (WCAG 1.4.10). On both databases (``backend``), against the demo.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext, Page
from sqlalchemy import select

from instruments import instruments_by_id
from notifications.models import Notification
from privacy.keys import KeyRing
from survey.teacher.flow import page_order
from tests.support.browser import (
    ARTIFACTS,
    REFLOW,
    SIDEWAYS,
    VIEWPORT,
    AxeAudit,
    Shots,
    TeacherLink,
)
from tests.support.demo_site import STAFF_PAGES, DemoSite, StaffBrowsers
from tests.support.phone import go, session_of
from tests.support.teacher import LOW

PIN, OTHER_PIN = "7394", "6142"
SKIPPED = "phq9_2"  # left unanswered on the first pass, to meet the review's missing item
ERROR_PREFIX = {"zh-CN": "错误：", "en": "Error: "}
# Pages whose titles must differ from each other (WCAG 2.4.2); an error shown on a page puts
# "Error:" before that page's title.
DISTINCT = ("landing", "confirm", "PIN", "consent", "review", "done", "results", "unlock",
            "forgot PIN", "PIN reset", "withdraw", "withdrawn", "declined", "problem: not found",
            "problem: wave closed")  # fmt: skip
ERRORS = {"confirm, wrong digits": "confirm", "PIN, mismatch": "PIN", "unlock, wrong PIN": "unlock",
          "PIN reset, wrong code": "PIN reset", "withdraw, unconfirmed": "withdraw"}  # fmt: skip


@dataclass
class Walk:
    """One language's walk through the teacher's pages: every page checked, every title kept."""

    site: DemoSite
    lang: str
    audit: AxeAudit
    titles: dict[str, str] = field(default_factory=dict)

    def open(self, context: BrowserContext, link: TeacherLink, path: str = "") -> Page:
        """A page of the link on this phone, in this walk's language."""
        page = context.new_page()
        if self.lang == "en":  # the language switch remembers the choice and goes on to the link
            page.goto(self.site.url(f"/lang/en?next={link.url}{path}"))
        else:
            page.goto(self.site.url(link.url + path))
        return page

    def look(self, page: Page, name: str) -> None:
        """Check the page as it is now, and keep its title."""
        self.audit.check(page, f"[{self.lang}] {name}")
        self.titles[name] = page.title()


def answer(page: Page, instrument_id: str, skip: str = "", **values: int) -> None:
    """Tap one option per item (the calmest, unless given), leaving ``skip`` unanswered."""
    for item in instruments_by_id()[instrument_id].items:
        if item.id != skip:
            value = values.get(item.id, LOW.get(item.id, int(min(item.values))))
            page.tap(f'label[for="{item.id}-{value}"]')


def identify(walk: Walk, page: Page, link: TeacherLink) -> None:
    """Landing, the phone digits (once wrong), the PIN (once mismatched): ends on consent."""
    walk.look(page, "landing")
    go(page, "#next")
    walk.look(page, "confirm")
    page.fill("#digits", "0000" if link.digits != "0000" else "1111")
    go(page, "#confirm")
    assert page.is_visible("#wrong")
    walk.look(page, "confirm, wrong digits")
    page.fill("#digits", link.digits)
    go(page, "#confirm")
    walk.look(page, "PIN")
    page.fill("#pin", PIN)
    page.fill("#repeat", OTHER_PIN)
    go(page, "#set-pin")
    assert page.is_visible("#rejected")
    walk.look(page, "PIN, mismatch")
    page.fill("#pin", PIN)
    page.fill("#repeat", PIN)
    go(page, "#set-pin")
    assert page.url.endswith("/consent")
    walk.look(page, "consent")


def answer_everything(walk: Walk, page: Page, link: TeacherLink) -> None:
    """Every questionnaire page (the safety item endorsed, one item skipped), the review with
    the item missing, its link to the item, the item answered, the review complete."""
    for number, instrument_id in enumerate(page_order(link.battery), start=1):
        assert page.url.endswith(f"/page/{number}"), page.url
        walk.look(page, f"page {number} ({instrument_id})")
        answer(page, instrument_id, skip=SKIPPED, phq9_9=1)
        go(page, "#next")
    assert page.url.endswith("/review") and page.is_visible("#missing")
    walk.look(page, "review, an item missing")
    go(page, f'#missing a[href$="#item-{SKIPPED}"]')
    assert page.url.endswith(f"/page/1#item-{SKIPPED}"), page.url
    item = page.locator(f"#item-{SKIPPED}")
    box = item.bounding_box()
    assert box is not None and -1 < box["y"] < VIEWPORT["height"] / 2, "the link opens the item"
    assert item.get_attribute("aria-invalid") == "true", "the missing item is marked"
    message = page.locator(f"#{item.get_attribute('aria-describedby')}")
    assert message.is_visible() and message.inner_text().strip(), "and said in words"
    walk.look(page, "page 1, an item missing")
    page.tap(f'label[for="{SKIPPED}-0"]')
    go(page, "#to-review")
    assert page.url.endswith("/review") and not page.is_visible("#missing")
    walk.look(page, "review")


def later_with_pin(walk: Walk, context: BrowserContext, link: TeacherLink) -> None:
    """Back on another phone after submitting: wrong PIN, a forgotten PIN replaced, withdrawal."""
    page = walk.open(context, link)
    walk.look(page, "landing, submitted")
    go(page, "#next")
    page.fill("#digits", link.digits)  # the gate of every link, before the PIN
    go(page, "#confirm")
    walk.look(page, "unlock")
    page.fill("#pin", OTHER_PIN)
    go(page, "#unlock")
    walk.look(page, "unlock, wrong PIN")
    go(page, "#forgot-pin")
    walk.look(page, "forgot PIN")
    go(page, "#send-code")
    walk.look(page, "PIN reset")
    code = sent_code(walk.site, link)
    page.fill("#code", "000000" if code != "000000" else "111111")
    page.fill("#pin", OTHER_PIN)
    page.fill("#repeat", OTHER_PIN)
    go(page, "#reset-pin")
    assert page.is_visible("#wrong")
    walk.look(page, "PIN reset, wrong code")
    page.fill("#code", code)
    page.fill("#pin", OTHER_PIN)
    page.fill("#repeat", OTHER_PIN)
    go(page, "#reset-pin")
    assert page.url.endswith("/done"), page.url
    go(page, "#withdraw-link")
    walk.look(page, "withdraw")
    go(page, "#withdraw")
    walk.look(page, "withdraw, unconfirmed")
    page.tap('label[for="confirm"]')
    go(page, "#withdraw")
    assert page.is_visible("#withdrawn")
    walk.look(page, "withdrawn")


def sent_code(site: DemoSite, link: TeacherLink) -> str:
    """The PIN reset code in the outbox, on its way to the roster phone (the test has installed
    the demo server's key ring)."""
    with session_of(site.server) as session:
        sent = session.scalars(
            select(Notification).where(Notification.key.like(f"pincode:{link.invitation_id}:%"))
        ).one()
        found = re.search(r"([0-9]{6})", sent.body or "")
    assert found is not None
    return found.group(1)


def walk_teacher_pages(
    site: DemoSite, new_phone: Callable[[], BrowserContext], lang: str, audit: AxeAudit
) -> Walk:
    """Two teachers of the open wave and one of the released one, in ``lang``."""
    walk = Walk(site, lang, audit)
    first, second = site.data.links[:2] if lang == "zh-CN" else site.data.links[2:4]
    phone = new_phone()
    page = walk.open(phone, first)
    identify(walk, page, first)
    go(page, "#agree")
    answer_everything(walk, page, first)
    go(page, "#submit")
    assert page.url.endswith("/done") and page.is_visible("#helplines")
    walk.look(page, "done")
    go(page, "#results-link")
    walk.look(page, "results")
    phone.close()
    later_with_pin(walk, new_phone(), first)

    page = walk.open(new_phone(), second)
    go(page, "#next")
    page.fill("#digits", second.digits)
    go(page, "#confirm")
    page.fill("#pin", PIN)
    page.fill("#repeat", PIN)
    go(page, "#set-pin")
    go(page, "#decline")
    walk.look(page, "declined")

    nowhere = TeacherLink(second.invitation_id, "/s/not-a-link", "", "", "")
    stranger = walk.open(new_phone(), nowhere)
    walk.look(stranger, "problem: not found")
    closed = walk.open(new_phone(), site.data.closed_link)
    walk.look(closed, "landing, wave closed")
    go(closed, "#next")
    walk.look(closed, "confirm, wave closed")
    # Past the gate, a teacher who never answered learns that the wave has closed.
    closed.fill("#digits", site.data.closed_link.digits)
    go(closed, "#confirm")
    walk.look(closed, "problem: wave closed")
    return walk


def test_every_teacher_page_passes_axe_in_both_languages_with_a_title_per_step(
    demo_site: DemoSite,
    new_phone: Callable[[], BrowserContext],
    use_key_ring: Callable[[KeyRing], KeyRing],
) -> None:
    use_key_ring(demo_site.server.key_ring())  # the reset codes in its outbox are sealed with it
    audit = AxeAudit()
    for lang in ("zh-CN", "en"):
        walk = walk_teacher_pages(demo_site, new_phone, lang, audit)
        distinct = [walk.titles[name] for name in DISTINCT]
        assert len(set(distinct)) == len(distinct), dict(zip(DISTINCT, distinct, strict=True))
        for error, plain in ERRORS.items():
            assert walk.titles[error] == ERROR_PREFIX[lang] + walk.titles[plain], error
        pages = [name for name in walk.titles if name.startswith("page ")]
        assert len({walk.titles[name] for name in pages}) == len(pages) - 1  # page 1 twice
    audit.assert_clean()


FOCUS_RING = """el => {
  const style = getComputedStyle(el);
  return {visible: el.matches(":focus-visible"), style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), name: el.type === "radio" ? el.name : el.id};
}"""


def focused(page: Page) -> dict[str, object]:
    """The focused element's name (or id), and whether it shows a drawn focus ring."""
    ring: dict[str, object] = page.evaluate(f"({FOCUS_RING})(document.activeElement)")
    assert ring["visible"] and ring["style"] == "solid", f"no focus ring we draw: {ring}"
    assert isinstance(ring["width"], int | float) and ring["width"] >= 2, f"a thin ring: {ring}"
    return ring


def begin(site: DemoSite, context: BrowserContext, link: TeacherLink) -> Page:
    """Landing, phone digits, PIN, consent: ends on the first questionnaire page."""
    page = context.new_page()
    page.goto(site.url(link.url))
    go(page, "#next")
    page.fill("#digits", link.digits)
    go(page, "#confirm")
    page.fill("#pin", PIN)
    page.fill("#repeat", PIN)
    go(page, "#set-pin")
    go(page, "#agree")
    assert page.url.endswith("/page/1")
    return page


def test_a_questionnaire_page_is_answered_and_sent_with_the_keyboard_alone(
    demo_site: DemoSite, new_phone: Callable[[], BrowserContext]
) -> None:
    link = demo_site.data.links[4]
    page = begin(demo_site, new_phone(), link)
    items = instruments_by_id()["phq9"].items
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "lang-en", "the language switch comes first"
    chosen = {}
    for n, item in enumerate(items):
        page.keyboard.press("Tab")
        assert focused(page)["name"] == item.id, "Tab reaches each item's options, in order"
        # Space chooses the focused (first) option; an arrow moves to the next and chooses it.
        page.keyboard.press("Space" if n % 2 == 0 else "ArrowDown")
        chosen[item.id] = 0 if n % 2 == 0 else 1
        assert page.is_checked(f"#{item.id}-{chosen[item.id]}")
        focused(page)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "next", "then the button that saves the page"
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.keyboard.press("Enter")
    assert page.url.endswith("/page/2"), page.url
    page.goto(demo_site.url(f"{link.url}/page/1"))
    for item_id, value in chosen.items():
        assert page.is_checked(f"#{item_id}-{value}"), f"{item_id} saved as chosen"


def test_nothing_scrolls_sideways_at_320_px_but_wide_tables_in_their_own_regions(
    demo_site: DemoSite, new_phone: Callable[[], BrowserContext], staff_browsers: StaffBrowsers
) -> None:
    problems: list[str] = []
    shots = Shots(ARTIFACTS, f"{demo_site.server.backend}-reflow-320")

    def look(page: Page, name: str) -> None:
        problems.extend(f"{name}: {problem}" for problem in page.evaluate(SIDEWAYS))
        shots.take(page, re.sub(r"\W+", "-", name), full_page=False)

    link = demo_site.data.links[5]
    phone = new_phone()
    page = phone.new_page()
    page.set_viewport_size(REFLOW)  # type: ignore[arg-type]
    page.goto(demo_site.url(link.url))
    look(page, "landing")
    teacher = begin(demo_site, phone, link)
    teacher.set_viewport_size(REFLOW)  # type: ignore[arg-type]
    look(teacher, "page 1")
    answer(teacher, "phq9", phq9_9=1)
    go(teacher, "#next")
    look(teacher, "page 2, help lines first")
    teacher.goto(demo_site.url(f"{link.url}/review"))
    look(teacher, "review")
    for spec in STAFF_PAGES:
        page = staff_browsers.page(spec.login(demo_site.data))
        page.set_viewport_size(REFLOW)  # type: ignore[arg-type]
        page.goto(spec.url(demo_site))
        look(page, spec.name)
    assert not problems, "\n".join(problems)
