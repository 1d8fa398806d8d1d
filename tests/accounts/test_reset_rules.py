"""The reset rules with the clock as a parameter: a link lives 24 hours and works once; the
outbox does not send a dead link; which accounts are under dual control; ended resets are purged."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.courier import Notice
from accounts.enrolment import LINK_LIFETIME, enrol, find_by_token
from accounts.mail import link_still_wanted
from accounts.models import CredentialReset, GrantStatus, ResetStatus, RoleGrant, StaffAccount
from accounts.passwords import HashCost, Passwords
from accounts.policy import is_suspended
from accounts.resets import Delivery, approve_reset, cancel_reset, request_reset, under_dual_control
from accounts.roles import Role, ScopeKind
from accounts.service import AccountError
from accounts.totp import provisioning_uri
from ops.retention import PurgeContext, retention_registry
from tests.support.factories.org import make_school, make_teacher
from tests.support.resets import LINK, NEW_PASSWORD

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


class Outbox:
    """A courier that keeps what it was given."""

    def __init__(self) -> None:
        self.sent: list[Notice] = []

    def send(self, session: Session, notice: Notice, now: dt.datetime) -> bool:
        self.sent.append(notice)
        return True


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def delivery(outbox: Outbox) -> Delivery:
    return Delivery(outbox, ("sms", "email"), "https://xinan.example")


def _staff(session: Session, name: str, role: Role, status: GrantStatus) -> StaffAccount:
    school = make_school(session)
    account = StaffAccount(
        username=name,
        password_hash="x",
        must_change_password=False,
        teacher_id=make_teacher(session, school).id,
    )
    session.add(account)
    kind = ScopeKind.SCHOOL if role is Role.PSYCHOLOGIST else ScopeKind.CITY
    session.add(
        RoleGrant(
            account=account,
            role=role,
            scope_kind=kind,
            school_id=school.id if kind is ScopeKind.SCHOOL else None,
            status=status,
        )
    )
    session.flush()
    return account


def _token(outbox: Outbox) -> str:
    found = LINK.search(outbox.sent[-1].body)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("role", "status", "dual"),
    [
        (Role.PSYCHOLOGIST, GrantStatus.ACTIVE, True),
        (Role.PSYCHOLOGIST, GrantStatus.PENDING, True),
        (Role.PSYCHOLOGIST, GrantStatus.REVOKED, False),
        (Role.SECURITY_ADMIN, GrantStatus.ACTIVE, True),
        (Role.ANALYST, GrantStatus.ACTIVE, False),
        (Role.AUDITOR, GrantStatus.ACTIVE, False),
    ],
)
def test_which_accounts_are_under_dual_control(
    db_session: Session, role: Role, status: GrantStatus, dual: bool
) -> None:
    account = _staff(db_session, f"d.{role.value}.{status.value}", role, status)
    assert under_dual_control(db_session, account.id) is dual


def test_a_link_lives_24_hours_works_once_and_the_outbox_drops_it_after(
    db_session: Session, delivery: Delivery, outbox: Outbox
) -> None:
    psy = _staff(db_session, "r.psy", Role.PSYCHOLOGIST, GrantStatus.ACTIVE)
    first = _staff(db_session, "r.sec1", Role.SECURITY_ADMIN, GrantStatus.ACTIVE)
    second = _staff(db_session, "r.sec2", Role.SECURITY_ADMIN, GrantStatus.ACTIVE)
    reset = request_reset(db_session, delivery, psy, "password", first.id, NOW)
    assert is_suspended(db_session, psy.id) and reset.token_hash is None
    with pytest.raises(AccountError, match="second"):
        approve_reset(db_session, delivery, reset, first.id, NOW)
    approved_at = NOW + dt.timedelta(hours=3)
    approve_reset(db_session, delivery, reset, second.id, approved_at)
    token = _token(outbox)
    key = outbox.sent[-1].key
    last_moment = approved_at + LINK_LIFETIME - dt.timedelta(microseconds=1)
    assert find_by_token(db_session, token, last_moment) is reset
    assert link_still_wanted(db_session, key, last_moment)
    assert find_by_token(db_session, token, approved_at + LINK_LIFETIME) is None
    assert not link_still_wanted(db_session, key, approved_at + LINK_LIFETIME)

    passwords = Passwords(HashCost(time_cost=1, memory_kib=1024, parallelism=1))
    secret = reset.totp_secret or ""
    assert provisioning_uri(secret, psy.username).startswith("otpauth://")
    code = pyotp.TOTP(secret).at(last_moment)
    enrol(db_session, passwords, reset, (NEW_PASSWORD, code), last_moment)
    assert reset.status is ResetStatus.DONE and not is_suspended(db_session, psy.id)
    assert reset.token_hash is None and reset.totp_secret is None
    assert find_by_token(db_session, token, last_moment) is None
    assert not link_still_wanted(db_session, key, last_moment)
    assert passwords.verify(psy.password_hash, NEW_PASSWORD) and psy.totp_secret == secret


def test_a_cancelled_reset_sends_no_link_and_lifts_the_suspension(
    db_session: Session, delivery: Delivery, outbox: Outbox
) -> None:
    analyst = _staff(db_session, "c.analyst", Role.ANALYST, GrantStatus.ACTIVE)
    admin = _staff(db_session, "c.sec", Role.SECURITY_ADMIN, GrantStatus.ACTIVE)
    reset = request_reset(db_session, delivery, analyst, "totp", admin.id, NOW)
    key = outbox.sent[-1].key
    assert key.endswith(":link") and link_still_wanted(db_session, key, NOW)
    with pytest.raises(AccountError, match="own"):
        cancel_reset(db_session, delivery, reset, analyst.id, NOW)
    cancel_reset(db_session, delivery, reset, admin.id, NOW)
    assert not link_still_wanted(db_session, key, NOW)
    assert not is_suspended(db_session, analyst.id)
    assert outbox.sent[-1].key.endswith(":cancelled")


def test_ended_resets_are_purged_after_the_outbox_period(
    db_session: Session, delivery: Delivery, app: Flask
) -> None:
    analyst = _staff(db_session, "p.analyst", Role.ANALYST, GrantStatus.ACTIVE)
    admin = _staff(db_session, "p.sec", Role.SECURITY_ADMIN, GrantStatus.ACTIVE)
    old = request_reset(db_session, delivery, analyst, "totp", admin.id, NOW)
    cancel_reset(db_session, delivery, old, admin.id, NOW)
    still_open = request_reset(db_session, delivery, analyst, "totp", admin.id, NOW)
    settings = app.extensions["xinan.settings"]
    later = NOW + dt.timedelta(days=settings.retention_notifications_days, seconds=1)
    rules = retention_registry(app)
    assert rules.purge(db_session, "credential-resets", PurgeContext(later, settings)) == 1
    left = db_session.scalars(select(CredentialReset.id)).all()
    assert left == [still_open.id]
