"""Separation of duties: nobody grants themselves a role; identified-data roles need a second
security administrator's approval before they do anything."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from accounts.models import GrantStatus, StaffAccount
from accounts.passwords import HashCost, Passwords
from accounts.policy import load_principal
from accounts.roles import Permission, Role, ScopeKind
from accounts.service import AccountError, create_account, decide_grant, request_grant, revoke_grant
from tests.support.factories.org import make_school, make_teacher

NOW = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def passwords() -> Passwords:
    return Passwords(HashCost(time_cost=1, memory_kib=1024, parallelism=1))


def _account(
    session: Session, passwords: Passwords, name: str, staff_no: str | None = None
) -> StaffAccount:
    return create_account(session, passwords, name, name, staff_no)


def test_identified_data_grant_needs_a_second_administrator(
    db_session: Session, passwords: Passwords
) -> None:
    school = make_school(db_session)
    make_teacher(db_session, school, staff_no="PSY001")
    psychologist = _account(db_session, passwords, "psy.one", "PSY001")
    first, second = (
        _account(db_session, passwords, "sec.one"),
        _account(db_session, passwords, "sec.two"),
    )
    grant = request_grant(
        db_session, psychologist, Role.PSYCHOLOGIST, (ScopeKind.SCHOOL, school.id), first.id, NOW
    )
    assert grant.status is GrantStatus.PENDING
    assert not load_principal(db_session, psychologist).has(Permission.CASES_READ)
    with pytest.raises(AccountError, match="second"):
        decide_grant(db_session, grant, True, first.id, NOW)
    with pytest.raises(AccountError, match="second"):
        decide_grant(db_session, grant, True, psychologist.id, NOW)
    decide_grant(db_session, grant, True, second.id, NOW)
    assert load_principal(db_session, psychologist).has(Permission.CASES_READ)
    revoke_grant(db_session, grant, first.id, NOW)
    assert not load_principal(db_session, psychologist).has(Permission.CASES_READ)


def test_nobody_grants_or_revokes_their_own_role(db_session: Session, passwords: Passwords) -> None:
    admin = _account(db_session, passwords, "sec.self")
    with pytest.raises(AccountError, match="own"):
        request_grant(db_session, admin, Role.AUDITOR, (ScopeKind.CITY, None), admin.id, NOW)
    other = _account(db_session, passwords, "sec.other")
    grant = request_grant(
        db_session, admin, Role.SECURITY_ADMIN, (ScopeKind.CITY, None), other.id, NOW
    )
    with pytest.raises(AccountError, match="own"):
        revoke_grant(db_session, grant, admin.id, NOW)


def test_a_security_administrator_grant_also_needs_a_second_administrator(
    db_session: Session, passwords: Passwords
) -> None:
    # Otherwise one administrator could make a second one of their own, and approve with it.
    first, second = (
        _account(db_session, passwords, "sec.a"),
        _account(db_session, passwords, "sec.b"),
    )
    newcomer = _account(db_session, passwords, "sec.new")
    grant = request_grant(
        db_session, newcomer, Role.SECURITY_ADMIN, (ScopeKind.CITY, None), first.id, NOW
    )
    assert grant.status is GrantStatus.PENDING
    assert not load_principal(db_session, newcomer).has(Permission.GRANTS_APPROVE)
    with pytest.raises(AccountError, match="second"):
        decide_grant(db_session, grant, True, first.id, NOW)
    decide_grant(db_session, grant, True, second.id, NOW)
    assert load_principal(db_session, newcomer).has(Permission.GRANTS_APPROVE)
    analyst = request_grant(
        db_session, newcomer, Role.ANALYST, (ScopeKind.CITY, None), first.id, NOW
    )
    assert analyst.status is GrantStatus.ACTIVE


def test_a_new_account_has_no_password_anybody_knows(
    db_session: Session, passwords: Passwords
) -> None:
    account = _account(db_session, passwords, "no.password")
    assert not account.is_enrolled
    for guess in ("", account.password_hash, account.password_hash[1:]):
        assert not passwords.verify(account.password_hash, guess)


def test_psychologist_must_be_linked_to_their_roster_record(
    db_session: Session, passwords: Passwords
) -> None:
    school = make_school(db_session)
    unlinked = _account(db_session, passwords, "psy.unlinked")
    admin = _account(db_session, passwords, "sec.link")
    with pytest.raises(AccountError, match="roster"):
        request_grant(
            db_session, unlinked, Role.PSYCHOLOGIST, (ScopeKind.SCHOOL, school.id), admin.id, NOW
        )


@pytest.mark.parametrize(
    ("role", "kind"), [(Role.ANALYST, ScopeKind.SCHOOL), (Role.SUPERVISOR, ScopeKind.CITY)]
)
def test_role_scope_mismatch_is_refused(
    db_session: Session, passwords: Passwords, role: Role, kind: ScopeKind
) -> None:
    target = _account(db_session, passwords, f"t.{role.value}")
    admin = _account(db_session, passwords, f"a.{role.value}")
    with pytest.raises(AccountError, match="scope"):
        request_grant(db_session, target, role, (kind, None), admin.id, NOW)
