"""A teacher's phone in the browser scenarios: tapping through the flow as a teacher does, and
what a phone must show (no sideways scrolling, fingertip-sized targets)."""

from __future__ import annotations

from collections.abc import Mapping

from playwright.sync_api import BrowserContext, Page
from sqlalchemy.orm import Session

from instruments import instruments_by_id
from survey.teacher.flow import page_order
from tests.support.browser import VIEWPORT, LiveServer, Shots, TeacherLink

PIN = "5307"
MIN_TAP_PX = 44  # WCAG 2.5.5 / Apple HIG: a finger needs about 44 CSS pixels


def go(page: Page, selector: str) -> None:
    """Tap a button or link and wait for the page it leads to."""
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.tap(selector)


def answer_page(page: Page, instrument_id: str, overrides: Mapping[str, int]) -> None:
    """Tap one option per item: the lowest one unless ``overrides`` names another value."""
    items = instruments_by_id()[instrument_id].items
    chosen = {item.id: overrides.get(item.id, int(min(item.values))) for item in items}
    for item_id, value in chosen.items():
        page.tap(f'label[for="{item_id}-{value}"]')
    checked = page.eval_on_selector_all(
        "input[type=radio]:checked", "inputs => inputs.map(i => i.id)"
    )
    assert sorted(checked) == sorted(f"{k}-{v}" for k, v in chosen.items())


def page_text(page: Page) -> str:
    """Everything the teacher can read on the page (and the markup, to catch hidden leaks)."""
    return page.inner_text("body") + page.content()


def assert_fits_phone(page: Page) -> None:
    """No sideways scrolling on a 390 px wide phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORT["width"], f"{page.url} scrolls sideways ({width}px)"


def assert_big_tap_targets(page: Page) -> None:
    """Every answer option and button is at least about a fingertip tall."""
    for target in page.locator("label.option, .teacher button, .teacher a.button").all():
        box = target.bounding_box()
        assert box is not None and box["height"] >= MIN_TAP_PX, (page.url, box)


def start(context: BrowserContext, link: TeacherLink, shots: Shots) -> Page:
    """Open the link on a fresh phone: landing, identity, PIN, consent; ends on page 1."""
    page = context.new_page()
    page.goto(link.url)
    assert page.inner_text("#title") == "教师身心健康普查"
    assert page.is_visible("#about")
    assert link.name not in page_text(page)
    shots.take(page, "landing")
    go(page, "#next")
    assert page.url.endswith("/confirm")
    page.fill("#digits", link.digits)
    shots.take(page, "confirm")
    go(page, "#confirm")
    assert page.url.endswith("/pin")
    page.fill("#pin", PIN)
    page.fill("#repeat", PIN)
    shots.take(page, "pin")
    go(page, "#set-pin")
    assert page.url.endswith("/consent")
    shots.take(page, "consent")
    go(page, "#agree")
    assert page.url.endswith("/page/1"), page.url
    return page


def give_phone_ending(page: Page, link: TeacherLink) -> None:
    """On the phone-ending page (the gate of every link), give it; on to the PIN page."""
    assert page.url.endswith("/confirm"), page.url
    page.fill("#digits", link.digits)
    go(page, "#confirm")
    assert page.url.endswith("/unlock"), page.url


def answer_pages(
    page: Page, link: TeacherLink, shots: Shots, first: int, last: int, overrides: Mapping[str, int]
) -> None:
    """Answer and save pages ``first``..``last`` (1-based), checking the progress label."""
    order = page_order(link.battery)
    for number in range(first, last + 1):
        assert page.url.endswith(f"/page/{number}"), page.url
        label = page.inner_text("#progress-label")
        assert label == f"第 {number} / {len(order)} 部分", label
        answer_page(page, order[number - 1], overrides)
        shots.take(page, f"page{number}-{order[number - 1]}")
        go(page, "#next")


def session_of(server: LiveServer) -> Session:
    """A plain session on the server's database, to check what the app committed."""
    return Session(server.engine)
