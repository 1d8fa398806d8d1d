"""Caring follow-up, end to end (issue 6): a teacher on a phone, a psychologist at a desk.

A crisis submission (PHQ-9 item 9 answered 1) lands in the routed psychologist's queue; she logs
in with password + TOTP, reveals the name (only then is it on the page), acknowledges, logs a
contact and closes with an outcome; the database and the audit log agree. A moderate teacher
presses "I would like to talk to someone" and a case appears in the same queue. A real gunicorn,
Debian's headless Chromium, on both databases (``backend``).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import select

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role, ScopeKind
from alerts.models import Case, CaseState, Outreach, OutreachState
from app import create_app
from census.models import Response
from privacy.audit.models import AuditEntry
from scoring.levels import RiskLevel
from tests.support.apps import build_settings
from tests.support.browser import DESK, LiveServer, Shots, TeacherLink
from tests.support.factories.org import make_school, make_teacher
from tests.support.phone import answer_pages, go, page_text, session_of, start
from tests.support.teacher import CRISIS, MODERATE

PASSWORD = "端到端-心理老师-口令-2026"
TEACHERS_SCHOOL = "端到端实验小学"  # where ``teacher_link`` puts every teacher


@dataclass
class Psychologist:
    """An enrolled psychologist whose grant covers the teachers' school; she works elsewhere."""

    account_id: uuid.UUID
    username: str
    secret: str
    last_step: int = -1

    def next_code(self) -> str:
        """A code the server accepts now and has not seen: a later time step for each login."""
        totp = pyotp.TOTP(self.secret)
        step = max(totp.timecode(dt.datetime.now(dt.UTC)), self.last_step + 1)
        # The server accepts one step of drift; wait until ``step`` is at most one step ahead.
        while step > totp.timecode(dt.datetime.now(dt.UTC)) + 1:
            time.sleep(0.5)
        self.last_step = step
        return totp.generate_otp(step)


@pytest.fixture(scope="session")
def psychologist(live_server: LiveServer) -> Psychologist:
    """The only psychologist covering the teachers' school (committed), so routing picks her."""
    app = create_app(build_settings(live_server.instance, live_server.database_url))
    database = app.extensions["xinan.db"]
    secret = pyotp.random_base32(32)
    with app.app_context():
        session = database.session()
        covered = make_school(session, name=TEACHERS_SCHOOL)
        home = make_school(session, name="端到端心理健康中心校")
        colleague = make_teacher(session, home, name="端到端心理老师", is_psychologist=True)
        account = StaffAccount(
            username=f"psy{uuid.uuid4().hex[:8]}",
            password_hash=app.extensions["xinan.passwords"].hash(PASSWORD),
            must_change_password=False,
            teacher_id=colleague.id,
        )
        account.totp_secret = secret
        session.add(account)
        session.flush()
        session.add(
            RoleGrant(
                account_id=account.id,
                role=Role.PSYCHOLOGIST,
                scope_kind=ScopeKind.SCHOOL,
                school_id=covered.id,
                status=GrantStatus.ACTIVE,
            )
        )
        found = Psychologist(account.id, account.username, secret)
        session.commit()
        database.sessions.remove()
    database.dispose()
    return found


@pytest.fixture
def new_desk(browser: Browser) -> Iterator[Callable[[], BrowserContext]]:
    """A factory of fresh desktop browsers, as a psychologist's office computer."""
    contexts: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(
            viewport=DESK,  # type: ignore[arg-type]
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def click_through(page: Page, selector: str) -> None:
    """Click a button or link (with a mouse) and wait for the page it leads to."""
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click(selector)


def submit_all(page: Page, link: TeacherLink, shots: Shots, answers: dict[str, int]) -> None:
    """Answer every page of the battery on the teacher's phone, then submit."""
    answer_pages(page, link, shots, 1, len(link.battery), answers)
    assert page.url.endswith("/review")
    go(page, "#submit")
    assert page.url.endswith("/done"), page.url


def log_in(context: BrowserContext, server: LiveServer, who: Psychologist, shots: Shots) -> Page:
    """Password and authenticator code on the login page; lands on my cases."""
    page = context.new_page()
    page.goto(f"{server.base_url}/login?next=/cases")
    page.fill("#username", who.username)
    page.fill("#password", PASSWORD)
    page.fill("#code", who.next_code())
    shots.take(page, "login")
    click_through(page, "button[type=submit]")
    assert page.url.endswith("/cases"), page.url
    return page


def do_step(page: Page, action: str, shots: Shots, **choices: str) -> None:
    """Open one quick action, fill what it needs, submit it; no error may come back."""
    page.eval_on_selector(f"#action-{action}", "summary => { summary.parentElement.open = true }")
    for selector, value in choices.items():
        page.select_option(f"#{selector}", value)
    page.fill(f"#note-{action}", f"端到端记录：{action}")
    click_through(page, f"#submit-{action}")
    assert page.locator(".flash.error").count() == 0, page.inner_text("body")
    shots.take(page, f"after-{action}")


def case_of(server: LiveServer, invitation_id: uuid.UUID) -> Case:
    """The one case opened from this invitation's response (read in a session of its own)."""
    with session_of(server) as session:
        response_id = session.scalars(
            select(Response.id).where(Response.invitation_id == invitation_id)
        ).one()
        return session.scalars(select(Case).where(Case.response_id == response_id)).one()


def test_crisis_case_reaches_the_psychologist_who_reveals_acknowledges_contacts_and_closes(
    live_server: LiveServer,
    teacher_link: TeacherLink,
    psychologist: Psychologist,
    new_phone: Callable[[], BrowserContext],
    new_desk: Callable[[], BrowserContext],
    shots: Shots,
) -> None:
    teacher = start(new_phone(), teacher_link, shots)
    submit_all(teacher, teacher_link, shots, CRISIS)
    assert teacher.is_visible("#helplines")
    shots.take(teacher, "done-crisis")
    case = case_of(live_server, teacher_link.invitation_id)
    assert case.level is RiskLevel.CRISIS and case.state is CaseState.NEW
    assert case.assignee_id == psychologist.account_id, "routed to the psychologist covering it"

    page = log_in(new_desk(), live_server, psychologist, shots)
    row = page.locator(f"#case-{case.id}")
    assert row.is_visible()
    assert "危机" in row.inner_text()
    assert teacher_link.name not in page_text(page), "lists never show a name"
    shots.take(page, "queue")

    click_through(page, f"#case-{case.id} a")
    assert page.url.endswith(f"/cases/{case.id}")
    assert teacher_link.name not in page_text(page), "no name before reveal"
    assert not page.is_visible("#identity-name")
    shots.take(page, "case-before-reveal")
    click_through(page, "#reveal")
    assert page.inner_text("#identity-name").strip() == teacher_link.name
    assert teacher_link.phone in page.inner_text("#identity")
    shots.take(page, "case-revealed")

    do_step(page, "acknowledge", shots)
    assert "Acknowledged" in page.inner_text("#case-state")
    assert teacher_link.name not in page_text(page), "the name is shown once, for the call"
    do_step(page, "contact", shots)
    assert "Contacted" in page.inner_text("#case-state")
    do_step(page, "close", shots, outcome="resolved")
    assert "Closed" in page.inner_text("#case-state")
    assert "Resolved" in page.inner_text("#case-state")
    assert page.locator("#quick-actions").count() == 0, "a closed case offers no actions"
    log = page.inner_text("#timeline")
    for action in ("acknowledge", "contact", "close"):
        assert f"端到端记录：{action}" in log, "each note is on the contact log"

    with session_of(live_server) as session:
        closed = session.get(Case, case.id)
        assert closed is not None
        assert closed.state is CaseState.CLOSED and closed.outcome == "resolved"
        assert closed.closed_at is not None
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.object_id == str(case.id)).order_by(AuditEntry.seq)
        ).all()
    mine = [
        (e.action, e.detail.get("step")) for e in entries if e.actor == str(psychologist.account_id)
    ]
    assert ("answers.view", None) in mine, "opening the case page (its scores) is audited"
    work = [entry for entry in mine if entry[0] != "answers.view"]
    assert work == [
        ("identity.reveal", None),
        ("case.transition", "acknowledge"),
        ("case.transition", "contact"),
        ("case.transition", "close"),
    ], work


def test_moderate_teacher_asks_to_talk_and_a_case_appears_in_the_queue(
    live_server: LiveServer,
    teacher_link: TeacherLink,
    psychologist: Psychologist,
    new_phone: Callable[[], BrowserContext],
    new_desk: Callable[[], BrowserContext],
    shots: Shots,
) -> None:
    teacher = start(new_phone(), teacher_link, shots)
    submit_all(teacher, teacher_link, shots, MODERATE)
    assert not teacher.is_visible("#helplines")
    assert teacher.is_visible("#talk")
    shots.take(teacher, "done-moderate")
    with session_of(live_server) as session:
        response = session.scalars(
            select(Response).where(Response.invitation_id == teacher_link.invitation_id)
        ).one()
        assert response.risk_level is RiskLevel.MODERATE
        outreach = session.scalars(
            select(Outreach).where(Outreach.response_id == response.id)
        ).one()
        assert outreach.state is OutreachState.OFFERED and outreach.case_id is None
        assert session.scalars(select(Case).where(Case.response_id == response.id)).all() == []

    go(teacher, "#talk")
    assert teacher.url.endswith("/done"), teacher.url
    assert teacher.is_visible("#talk-requested") and not teacher.is_visible("#talk")
    shots.take(teacher, "talk-requested")
    case = case_of(live_server, teacher_link.invitation_id)
    with session_of(live_server) as session:
        asked = session.get(Outreach, outreach.id)
        assert asked is not None and asked.state is OutreachState.REQUESTED
        assert asked.case_id == case.id
    assert case.level is RiskLevel.MODERATE and case.state is CaseState.NEW
    assert case.assignee_id == psychologist.account_id

    page = log_in(new_desk(), live_server, psychologist, shots)
    row = page.locator(f"#case-{case.id}")
    assert row.is_visible()
    assert "Moderate" in row.inner_text()
    shots.take(page, "queue-with-talk-case")
    click_through(page, f"#case-{case.id} a")
    assert "New" in page.inner_text("#case-state")
    assert teacher_link.name not in page_text(page)
    shots.take(page, "talk-case")
