"""Guessing across many links: one address gets so many wrong answers an hour, whatever the
links; a right answer does not reset a link's lock schedule, time does; a burst of locks tells
the security administrators once. Through HTTP, on both databases."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role, ScopeKind
from census.models import Invitation
from config.settings import Settings
from db import utcnow
from notifications.inbox_models import InboxItem
from notifications.models import Notification
from privacy.audit.models import AuditEntry
from privacy.vault import key_ring
from survey.invitations.models import LostLinkAttempt
from survey.teacher import pin as pins
from tests.support.factories.census import make_invitation, make_wave
from tests.support.factories.links import Link, invitation_of
from tests.support.factories.org import make_school, make_teacher
from tests.support.forms import csrf_token
from tests.support.teacher import PIN

OFFICE = "203.0.113.5"  # a school office holding the printed sheets
HOME = "198.51.100.7"  # a teacher at home
HOUR = dt.timedelta(hours=1)


class Browser:
    """One browser at one address: its own cookie, one CSRF token for all its forms."""

    def __init__(self, app: Flask, address: str) -> None:
        self.client: FlaskClient = app.test_client()
        self.address = address
        self.token = ""

    def post(self, path: str, fields: dict[str, str], token_url: str) -> TestResponse:
        if not self.token:
            self.token = csrf_token(self.client, token_url)
        data = {"csrf_token": self.token, **fields}
        return self.client.post(path, data=data, environ_base={"REMOTE_ADDR": self.address})

    def confirm(self, link: Link, digits: str | None = None) -> TestResponse:
        given = link.phone[-4:] if digits is None else digits
        return self.post(f"{link.url}/confirm", {"digits": given}, f"{link.url}/confirm")

    def unlock(self, link: Link, pin: str) -> TestResponse:
        return self.post(f"{link.url}/unlock", {"pin": pin}, f"{link.url}/confirm")

    def reset(self, link: Link, code: str) -> TestResponse:
        fields = {"code": code, "pin": "7391", "repeat": "7391"}
        return self.post(f"{link.url}/pin/reset", fields, f"{link.url}/confirm")


def wrong_digits(link: Link) -> str:
    return f"{(int(link.phone[-4:]) + 1) % 10000:04d}"


def make_links(session: Session, count: int, *, with_pin: bool = False) -> list[Link]:
    """``count`` teachers of one wave and school (their PIN set when ``with_pin``)."""
    wave, school = make_wave(session), make_school(session)
    links = []
    for _ in range(count):
        teacher = make_teacher(session, school)
        invitation, token = make_invitation(session, wave, teacher)
        if with_pin:
            invitation.pin_hash = pins.hash_pin(key_ring(), invitation, PIN)
            invitation.pin_set_at = utcnow()
        links.append(Link(invitation, token, teacher.phone or "", list(wave.battery)))
    session.flush()
    return links


def time_passes(session: Session, delta: dt.timedelta) -> None:
    """Move every counted attempt (failures, locks, bursts) ``delta`` into the past."""
    for attempt in session.scalars(select(LostLinkAttempt)):
        attempt.at -= delta
    session.flush()


def test_one_address_gets_thirty_wrong_answers_an_hour_across_all_links(
    app: Flask, db_session: Session, settings: Settings
) -> None:
    assert settings.gate_failures_per_address_per_hour == 30  # the documented default
    office = Browser(app, OFFICE)
    digits_links = make_links(db_session, 12)
    pin_links = make_links(db_session, 20, with_pin=True)
    # Ten wrong phone endings, ten wrong PINs and ten wrong reset codes, each on its own link.
    for link in digits_links[:10]:
        assert 'id="wrong"' in office.confirm(link, wrong_digits(link)).get_data(as_text=True)
    for link in pin_links[:10]:
        assert office.confirm(link).status_code == 303  # right: costs nothing
        assert 'id="wrong"' in office.unlock(link, "7391").get_data(as_text=True)
    for link in pin_links[10:]:
        assert office.confirm(link).status_code == 303
        assert 'id="wrong"' in office.reset(link, "000000").get_data(as_text=True)
    # The 31st guess, on a link never tried, and even the right answer on another, are refused.
    refused = office.confirm(digits_links[10], wrong_digits(digits_links[10]))
    assert refused.status_code == 429 and 'id="problem"' in refused.get_data(as_text=True)
    fresh = digits_links[11]
    refused = office.confirm(fresh)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "这个网络输错的次数太多了" in body
    assert invitation_of(db_session, fresh).identity_confirmed_at is None
    # Every link stays open to every other address, and locked to none.
    assert Browser(app, HOME).confirm(fresh).status_code == 200
    assert {invitation_of(db_session, link).pin_locked_until for link in pin_links} == {None}
    # Kept as keyed digests: nothing in the table names the address.
    keys = db_session.scalars(select(LostLinkAttempt.key)).all()
    assert len(keys) == 30 and all(OFFICE.encode() not in key for key in keys)
    time_passes(db_session, HOUR)
    assert Browser(app, OFFICE).confirm(fresh).status_code == 200


def test_a_right_answer_no_longer_resets_the_lock_schedule(app: Flask, db_session: Session) -> None:
    [link] = make_links(db_session, 1, with_pin=True)
    teacher = Browser(app, HOME)
    for _ in range(2):
        assert teacher.confirm(link, wrong_digits(link)).status_code == 200
    assert teacher.confirm(link).status_code == 303  # the right ending
    for _ in range(2):
        assert 'id="wrong"' in teacher.unlock(link, "7391").get_data(as_text=True)
    assert teacher.unlock(link, PIN).status_code == 303  # the right PIN
    # The fifth wrong answer locks the link, though two right ones came in between.
    other = Browser(app, OFFICE)
    assert other.confirm(link).status_code == 303
    assert 'id="locked"' in other.unlock(link, "7391").get_data(as_text=True)
    assert invitation_of(db_session, link).pin_locked_until is not None
    assert other.unlock(link, PIN).status_code == 429


def test_the_failure_count_halves_with_each_quiet_day(app: Flask, db_session: Session) -> None:
    [link] = make_links(db_session, 1, with_pin=True)
    teacher = Browser(app, HOME)
    for _ in range(4):
        assert teacher.confirm(link, wrong_digits(link)).status_code == 200
    invitation = invitation_of(db_session, link)
    assert invitation.pin_failures == 4 and invitation.pin_failed_at is not None
    invitation.pin_failed_at -= pins.QUIET_PERIOD  # a quiet day: four become two
    db_session.flush()
    assert 'id="wrong"' in teacher.confirm(link, wrong_digits(link)).get_data(as_text=True)
    assert invitation_of(db_session, link).pin_failures == 3


def test_decay_counts_from_the_end_of_the_lock_not_from_the_last_try() -> None:
    t0 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    invitation = Invitation(pin_failures=20, pin_failed_at=t0, pin_locked_until=t0 + 2 * HOUR)
    day = pins.QUIET_PERIOD
    assert pins.decayed_failures(invitation, t0 + day) == 20  # the lock is no quiet time
    assert pins.decayed_failures(invitation, t0 + 2 * HOUR + day) == 10
    assert pins.decayed_failures(invitation, t0 + 2 * HOUR + 3 * day) == 2
    assert pins.decayed_failures(invitation, t0 + 2 * HOUR + 30 * day) == 0
    assert pins.decayed_failures(Invitation(pin_failures=0), t0) == 0


def security_admin(session: Session, *, email: str | None) -> StaffAccount:
    """An active security administrator (linked to a roster record with ``email``, if given)."""
    teacher = make_teacher(session, make_school(session), email=email) if email else None
    account = StaffAccount(
        username=f"sec{uuid.uuid4().hex[:8]}",
        password_hash="x",
        must_change_password=False,
        teacher_id=teacher.id if teacher else None,
    )
    session.add(account)
    session.flush()
    session.add(RoleGrant(account_id=account.id, role=Role.SECURITY_ADMIN,
                          scope_kind=ScopeKind.CITY, status=GrantStatus.ACTIVE))  # fmt: skip
    session.flush()
    return account


def lock(app: Flask, session: Session, link: Link, address: str) -> None:
    """Five wrong phone endings from ``address``: the link locks."""
    browser = Browser(app, address)
    for _ in range(pins.MAX_FAILURES):
        browser.confirm(link, wrong_digits(link))
    assert invitation_of(session, link).pin_locked_until is not None


def test_a_burst_of_locks_tells_the_security_administrators_once(
    app: Flask, db_session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.extensions, "xinan.settings", replace(settings, gate_lock_burst=3))
    mailed = security_admin(db_session, email="sec@example.edu.cn")
    inbox_only = security_admin(db_session, email=None)
    links = make_links(db_session, 7)
    for n, link in enumerate(links[:4]):  # four locks from four addresses: one burst
        lock(app, db_session, link, f"192.0.2.{n + 1}")

    def told() -> tuple[list[object], int, list[object]]:
        items = db_session.scalars(
            select(InboxItem.account_id).where(InboxItem.kind == "security.gate_locks")
        ).all()
        mails = db_session.scalars(select(Notification).where(Notification.key.like("gatelocks:%")))
        audits = db_session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "survey.gate.lock_burst")
        ).all()
        return sorted(items, key=str), len(list(mails)), list(audits)

    items, mails, audits = told()
    assert items == sorted([mailed.id, inbox_only.id], key=str) and mails == 1
    assert audits == [{"locks": 3, "minutes": 10, "told": 2}]
    [mail] = db_session.scalars(select(Notification).where(Notification.key.like("gatelocks:%")))
    assert mail.recipient == "sec@example.edu.cn"
    assert "3 teacher links were locked" in (mail.body or "")
    assert all(link.token not in (mail.body or "") for link in links)
    # When the burst is long over, the next one is told again.
    time_passes(db_session, HOUR)
    for n, link in enumerate(links[4:]):
        lock(app, db_session, link, f"192.0.2.{n + 11}")
    items, mails, audits = told()
    assert len(items) == 4 and mails == 2 and len(audits) == 2
