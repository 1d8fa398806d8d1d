"""A teacher on a phone, end to end: a real server, a real headless Chromium, 390×844, touch.

Confirm, PIN, consent, answer, close the browser halfway, resume with the phone ending and the
PIN, submit, feedback; PHQ-9 item 9 answered 1 puts the help lines on top and opens a crisis case
before submission; the link without the PIN shows nothing personal; a forgotten PIN is replaced
with a code sent to the roster phone. On both databases (``backend``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext
from sqlalchemy import func, select

from alerts.models import Case
from census.models import Invitation, InvitationStatus, Response
from notifications.models import Notification
from privacy.keys import KeyRing
from scoring.levels import RiskLevel
from tests.support.browser import VIEWPORT, LiveServer, Shots, TeacherLink
from tests.support.phone import (
    PIN,
    answer_pages,
    assert_big_tap_targets,
    assert_fits_phone,
    give_phone_ending,
    go,
    page_text,
    session_of,
    start,
)
from tests.support.teacher import LOW

RECEIPT = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")


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
    use_key_ring: Callable[[KeyRing], KeyRing],
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
    use_key_ring(live_server.key_ring())
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
