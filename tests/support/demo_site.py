"""The synthetic demo on a server of its own, for the pages staff see: logins of every role, a
released report, an open wave with cases and outreach, a draft wave, an account that has not set
itself up, and teachers of the open wave who have not answered yet (their links); and the pages
staff see on it, as the accessibility scenarios open them.

The demo is seeded through the real code (``demo/``), as ``make run`` seeds it, with a TOTP
secret of this session, for the smallest city ``flask demo seed`` takes: the pages are the same
as at the full size (every report section and table kind, cases, outreach and waiting teachers),
with fewer rows and more cells hidden, and it seeds in half the time. Nothing here is
shared with the other browser scenarios' server.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass, field

import pyotp
from flask import Flask
from playwright.sync_api import Browser, Page
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import StaffAccount
from alerts.models import Case
from alerts.routing import policy_from_settings
from census.models import Invitation, InvitationStatus, WaveState
from db import utcnow
from demo.accounts import DEMO_PASSWORD
from demo.census import MIN_TEACHERS
from demo.released import seed_released_demo_waves
from demo.seed import seed_demo
from demo.wave import seed_demo_wave
from org.models import Teacher
from privacy.vault import key_ring
from survey.invitations.links import link_token
from tests.support.browser import DESK, LiveServer, TeacherLink
from tests.support.factories.census import make_wave

NEWCOMER = "a11y.newcomer"  # an account created by an administrator, not yet set up
NEWCOMER_PASSWORD = "临时-口令-端到端-2026"  # a test account on a throwaway database
WAITING_LINKS = 8
TEACHERS = MIN_TEACHERS


@dataclass(frozen=True)
class DemoData:
    """What the scenarios look up in the seeded demo."""

    totp_secret: str
    released_wave: int
    open_wave: int
    draft_wave: int
    school: int  # a school of the open wave (its printed sheet)
    case: uuid.UUID  # a case of the open wave, assigned to ``case_holder``
    case_holder: str
    account: uuid.UUID  # a psychologist's account, as the security administrators see it
    # Teachers of the open wave who have not answered; each link's ``url`` is its path here.
    links: tuple[TeacherLink, ...]
    closed_link: TeacherLink  # a teacher of the released wave who never answered


@dataclass
class DemoSite:
    """The demo served by gunicorn, and the staff logins' next TOTP steps."""

    server: LiveServer
    data: DemoData
    last_steps: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        """An address on this server."""
        return f"{self.server.base_url}{path}"

    def next_code(self, username: str) -> str:
        """A TOTP code the server accepts now for ``username`` and has not seen from it."""
        totp = pyotp.TOTP(self.data.totp_secret)
        step = max(totp.timecode(dt.datetime.now(dt.UTC)), self.last_steps.get(username, -1) + 1)
        # The server accepts one step of drift; wait until ``step`` is at most one step ahead.
        while step > totp.timecode(dt.datetime.now(dt.UTC)) + 1:
            time.sleep(0.5)
        self.last_steps[username] = step
        return totp.generate_otp(step)


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


def seed_demo_site(app: Flask) -> DemoData:
    """Seed the demo (and what the demo lacks) into the app's database and commit it."""
    session = app.extensions["xinan.db"].session()
    passwords = app.extensions["xinan.passwords"]
    secret = pyotp.random_base32(32)
    now = utcnow()
    seed_demo(session, passwords, secret, now, teachers=TEACHERS)
    routing = policy_from_settings(app.extensions["xinan.settings"])
    released = seed_released_demo_waves(session, now, routing=routing)[-1]
    opened = seed_demo_wave(session, now, routing=routing).wave
    draft = make_wave(session, name="端到端草稿普查", state=WaveState.DRAFT)
    session.add(StaffAccount(username=NEWCOMER, password_hash=passwords.hash(NEWCOMER_PASSWORD)))
    case = session.scalars(
        select(Case).where(Case.wave_id == opened.id, Case.assignee_id.is_not(None))
        .order_by(Case.opened_at)
    ).first()  # fmt: skip
    if case is None:
        raise RuntimeError("the demo wave opened no assigned case")
    holder = session.get(StaffAccount, case.assignee_id)
    psychologist = session.scalars(
        select(StaffAccount).where(StaffAccount.username == "psy.east1")
    ).one()
    data = DemoData(
        totp_secret=secret,
        released_wave=released.id,
        open_wave=opened.id,
        draft_wave=draft.id,
        school=case.school_id,
        case=case.id,
        case_holder=holder.username if holder else "",
        account=psychologist.id,
        links=_waiting_links(session, opened.id, list(opened.battery)),
        closed_link=_waiting_links(session, released.id, list(released.battery))[0],
    )
    session.commit()
    return data


def _waiting_links(session: Session, wave_id: int, battery: list[str]) -> tuple[TeacherLink, ...]:
    """Teachers of the wave who have not answered; each link's ``url`` is its path."""
    rows = session.execute(
        select(Invitation, Teacher)
        .join(Teacher, Teacher.id == Invitation.teacher_id)
        .where(Invitation.wave_id == wave_id, Invitation.status == InvitationStatus.INVITED)
        .order_by(Teacher.pseudonym)
        .limit(WAITING_LINKS)
    ).all()
    return tuple(
        TeacherLink(
            invitation.id,
            f"/s/{link_token(key_ring(), invitation.id)}",
            teacher.phone or "",
            teacher.name or "",
            teacher.staff_no or "",
            battery,
        )
        for invitation, teacher in rows
    )


class StaffBrowsers:
    """One browser per staff login, logged in once and kept for the session: a second login of
    the same account would have to wait for the authenticator's next step. ``None`` is a browser
    that never logs in."""

    def __init__(self, browser: Browser, site: DemoSite) -> None:
        self.browser = browser
        self.site = site
        self.pages: dict[str | None, Page] = {}

    def page(self, username: str | None) -> Page:
        """The logged-in page of ``username`` (desk-sized; callers may resize it)."""
        if username not in self.pages:
            context = self.browser.new_context(
                viewport=DESK,  # type: ignore[arg-type]
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            if username is not None:
                self.log_in(page, username)
            self.pages[username] = page
        return self.pages[username]

    def log_in(self, page: Page, username: str) -> None:
        """Password and authenticator code (none for an account not yet set up)."""
        page.goto(self.site.url("/login"))
        page.fill("#username", username)
        if username == NEWCOMER:
            page.fill("#password", NEWCOMER_PASSWORD)
        else:
            page.fill("#password", DEMO_PASSWORD)
            page.fill("#code", self.site.next_code(username))
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.click("button[type=submit]")
        if page.url.endswith("/login"):
            raise RuntimeError(f"{username} could not log in: {page.inner_text('main')}")

    def close(self) -> None:
        """Close every browser context opened here."""
        for page in self.pages.values():
            page.context.close()
