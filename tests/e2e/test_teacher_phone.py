"""A teacher on a phone, end to end: a real server, a real headless Chromium, 390×844, touch.

Confirm, PIN, consent, answer, close the browser halfway, resume with the phone ending and the
PIN, submit, feedback; PHQ-9 item 9 answered 1 puts the help lines on top and opens a crisis case
before submission; the link without the PIN shows nothing personal; a forgotten PIN is replaced
with a code sent to the roster phone. On both databases (``backend``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from playwright.sync_api import BrowserContext, Page
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.models import Case
from census.models import Invitation, InvitationStatus, Response
from instruments import instruments_by_id
from notifications.models import Notification
from scoring.levels import RiskLevel
from survey.teacher.flow import page_order
from tests.e2e.support import VIEWPORT, LiveServer, Shots, TeacherLink

PIN = "5307"
RECEIPT = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")
# WHO-5 at its best keeps an otherwise lowest-option profile "low" (no outreach, no case).
LOW = {f"who5_{i}": 5 for i in range(1, 6)}
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


def _saves(server: LiveServer, link: TeacherLink) -> int:
    """How many times the teacher's draft was saved (its version counts every save)."""
    with session_of(server) as session:
        version = session.scalar(
            select(Response.version).where(Response.invitation_id == link.invitation_id)
        )
    return version or 0


def test_teacher_answers_closes_the_browser_halfway_resumes_with_pin_and_submits(
    live_server: LiveServer,
    teacher_link: TeacherLink,
    new_phone: Callable[[], BrowserContext],
    shots: Shots,
) -> None:
    first_phone = new_phone()
    page = start(first_phone, teacher_link, shots)
    assert_fits_phone(page)
    assert_big_tap_targets(page)
    answer_pages(page, teacher_link, shots, 1, 2, LOW)
    assert page.url.endswith("/page/3")
    # Page 3 answered the post of page 2, yet reload and back ask for pages, posting nothing.
    saves = _saves(live_server, teacher_link)
    page.reload()
    label = page.inner_text("#progress-label")
    assert page.url.endswith("/page/3") and label == f"第 3 / {len(teacher_link.battery)} 部分"
    page.go_back()
    assert page.url.endswith("/page/2") and page.is_checked("#gad7_1-0"), "saved answers shown"
    page.go_forward()
    assert page.url.endswith("/page/3")
    assert _saves(live_server, teacher_link) == saves, "nothing was posted again"
    page.tap('label[for="who5_1-5"]')  # half a page, never saved: the browser closes now
    first_phone.close()

    page = new_phone().new_page()
    page.goto(teacher_link.url)
    assert page.inner_text("#next").strip() == "开始或继续"  # as for every teacher of the wave
    shots.take(page, "landing-again")
    go(page, "#next")
    give_phone_ending(page, teacher_link)
    page.fill("#pin", "9137")
    go(page, "#unlock")
    assert page.is_visible("#wrong")
    shots.take(page, "unlock-wrong")
    page.fill("#pin", PIN)
    go(page, "#unlock")
    assert page.url.endswith("/page/3"), "resumes on the first page not yet saved"
    assert not page.is_checked("#who5_1-5"), "the unsaved half page was not kept"
    shots.take(page, "resumed-page3")
    page.goto(f"{teacher_link.url}/page/1")
    assert page.is_checked("#phq9_1-0") and page.is_checked("#phq9_9-0"), "saved answers kept"
    page.goto(f"{teacher_link.url}/page/3")

    answer_pages(page, teacher_link, shots, 3, len(teacher_link.battery), LOW)
    assert page.url.endswith("/review")
    assert not page.is_visible("#missing")
    shots.take(page, "review")
    go(page, "#submit")
    assert page.url.endswith("/done")
    receipt = page.inner_text("#receipt").strip()
    assert RECEIPT.match(receipt), receipt
    assert page.is_visible("#feedback") and page.is_visible("#resources")
    assert not page.is_visible("#helplines")
    assert_fits_phone(page)
    shots.take(page, "done")
    go(page, "#results-link")
    assert page.is_visible("#result-1")
    shots.take(page, "results")

    with session_of(live_server) as session:
        stored = session.scalars(
            select(Response).where(Response.invitation_id == teacher_link.invitation_id)
        ).one()
        assert stored.receipt == receipt and stored.risk_level is RiskLevel.LOW
        invitation = session.get(Invitation, teacher_link.invitation_id)
        assert invitation is not None and invitation.status is InvitationStatus.SUBMITTED

    stranger = new_phone().new_page()
    for path in ("", "/done", "/results"):
        stranger.goto(f"{teacher_link.url}{path}")
        assert not stranger.is_visible("#feedback") and not stranger.is_visible("#result-1")
        assert teacher_link.name not in page_text(stranger)
    shots.take(stranger, "submitted-link-without-pin")


def test_safety_answer_puts_help_lines_on_top_and_opens_a_crisis_case_before_submission(
    live_server: LiveServer,
    teacher_link: TeacherLink,
    new_phone: Callable[[], BrowserContext],
    shots: Shots,
) -> None:
    page = start(new_phone(), teacher_link, shots)
    answer_pages(page, teacher_link, shots, 1, 1, {**LOW, "phq9_9": 1})
    assert page.url.endswith("/page/2")
    shots.take(page, "page2-help-lines-first")
    helplines = page.locator("#helplines")
    assert helplines.is_visible()
    assert "12356" in helplines.inner_text()
    box, stem = helplines.bounding_box(), page.locator("#stem").bounding_box()
    assert box is not None and stem is not None
    assert box["y"] < stem["y"] and box["y"] < VIEWPORT["height"] / 2, "help lines lead the page"
    first = page.evaluate("document.querySelector('.teacher > :not(nav)').id")
    assert first == "helplines"

    with session_of(live_server) as session:
        response_id = session.scalar(
            select(Response.id).where(
                Response.invitation_id == teacher_link.invitation_id,
                Response.submitted_at.is_(None),
            )
        )
        assert response_id is not None, "a draft, not a submission"
        case = session.scalars(select(Case).where(Case.response_id == response_id)).one()
        assert case.level is RiskLevel.CRISIS

    answer_pages(page, teacher_link, shots, 2, len(teacher_link.battery), LOW)
    go(page, "#submit")
    assert page.url.endswith("/done")
    assert RECEIPT.match(page.inner_text("#receipt").strip())
    top = page.evaluate("document.querySelector('.teacher > :not(nav)').id")
    assert top == "helplines", "after a safety answer the help lines come first"
    shots.take(page, "done-help-lines-first")
    with session_of(live_server) as session:
        count = session.scalar(
            select(func.count()).select_from(Case).where(Case.response_id == response_id)
        )
        assert count == 1, "submitting never opens a second case"


def test_the_link_without_the_pin_shows_nothing_personal(
    live_server: LiveServer,
    teacher_link: TeacherLink,
    new_phone: Callable[[], BrowserContext],
    shots: Shots,
) -> None:
    page = start(new_phone(), teacher_link, shots)
    answer_pages(page, teacher_link, shots, 1, 2, {**LOW, "phq9_1": 3, "gad7_1": 3})

    stranger = new_phone().new_page()
    canaries = (teacher_link.name, teacher_link.staff_no, teacher_link.phone)
    for path in ("", "/confirm", "/pin", "/consent", "/continue", "/page/1", "/page/2",
                 "/review", "/done", "/results", "/withdraw"):  # fmt: skip
        stranger.goto(f"{teacher_link.url}{path}")
        text = page_text(stranger)
        for canary in canaries:
            assert canary not in text, (path, canary)
        assert stranger.locator("input[type=radio]").count() == 0, path
        assert not stranger.is_visible("#feedback"), path
        assert re.search(r"/s/[^/]+(/confirm)?$", stranger.url), (path, stranger.url)
        shots.take(stranger, f"no-pin{path.replace('/', '-') or '-landing'}")
    assert stranger.url.endswith("/confirm") or stranger.is_visible("#next")

    with session_of(live_server) as session:
        invitation = session.get(Invitation, teacher_link.invitation_id)
        assert invitation is not None and invitation.status is InvitationStatus.STARTED
        assert invitation.pin_failures == 0, "looking at pages is no PIN guess"


def test_a_forgotten_pin_is_replaced_with_a_code_sent_to_the_roster_phone(
    live_server: LiveServer,
    teacher_link: TeacherLink,
    new_phone: Callable[[], BrowserContext],
    shots: Shots,
) -> None:
    first_phone = new_phone()
    page = start(first_phone, teacher_link, shots)
    answer_pages(page, teacher_link, shots, 1, 1, LOW)
    first_phone.close()

    page = new_phone().new_page()
    page.goto(f"{teacher_link.url}/unlock")
    give_phone_ending(page, teacher_link)
    go(page, "#forgot-pin")
    assert page.url.endswith("/pin/forgot")
    assert_big_tap_targets(page)
    shots.take(page, "pin-forgot")
    go(page, "#send-code")
    assert page.url.endswith("/pin/reset") and page.is_visible("#code-sent")
    live_server.install_keys()
    with session_of(live_server) as session:
        sent = session.scalars(
            select(Notification).where(
                Notification.key.like(f"pincode:{teacher_link.invitation_id}:%")
            )
        ).one()
        assert sent.recipient == teacher_link.phone
        code = re.search(r"验证码是 ([0-9]{6})", sent.body or "")
    assert code is not None and code.group(1) not in page_text(page)
    assert teacher_link.phone not in page_text(page)
    assert_big_tap_targets(page)
    page.fill("#code", code.group(1))
    page.fill("#pin", "6142")
    page.fill("#repeat", "6142")
    shots.take(page, "pin-reset")
    go(page, "#reset-pin")
    assert page.url.endswith("/page/2"), "resumes where the teacher stopped"
    page.goto(f"{teacher_link.url}/page/1")
    assert page.is_checked("#phq9_1-0"), "the saved answers were kept"

    other = new_phone().new_page()
    other.goto(f"{teacher_link.url}/unlock")
    give_phone_ending(other, teacher_link)
    other.fill("#pin", PIN)
    go(other, "#unlock")
    assert other.is_visible("#wrong"), "the old PIN no longer opens the link"
