"""Object-level access across two schools and two districts (protection.md tests 12 and 14)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.policy import can, load_principal, scope_to
from accounts.roles import Permission, Role, ScopeKind
from org.models import School, Teacher
from tests.support.factories.org import make_school, make_teacher


@dataclass(frozen=True)
class Row:
    """A stand-in for any teacher-linked row (a case, an answer set)."""

    school_id: int
    teacher_id: uuid.UUID | None


@pytest.fixture
def city(db_session: Session) -> dict[str, School]:
    return {
        "A": make_school(db_session, "A校", "东区"),
        "B": make_school(db_session, "B校", "东区"),
        "C": make_school(db_session, "C校", "西区"),
    }


def _account(
    session: Session, teacher: Teacher | None, *grants: tuple[Role, ScopeKind, int | None]
) -> StaffAccount:
    account = StaffAccount(
        username=f"x{uuid.uuid4().hex[:8]}",
        password_hash="-",
        teacher_id=teacher.id if teacher else None,
    )
    session.add(account)
    for role, kind, target in grants:
        session.add(
            RoleGrant(
                account=account,
                role=role,
                scope_kind=kind,
                status=GrantStatus.ACTIVE,
                school_id=target if kind is ScopeKind.SCHOOL else None,
                district_id=target if kind is ScopeKind.DISTRICT else None,
            )
        )
    session.flush()
    return account


def test_school_psychologist_reaches_only_their_school(
    db_session: Session, city: dict[str, School]
) -> None:
    me = make_teacher(db_session, city["A"])
    user = load_principal(
        db_session, _account(db_session, me, (Role.PSYCHOLOGIST, ScopeKind.SCHOOL, city["A"].id))
    )
    colleague = Row(city["A"].id, uuid.uuid4())
    assert can(user, Permission.CASES_READ, colleague)
    assert not can(user, Permission.CASES_READ, Row(city["B"].id, uuid.uuid4()))
    assert not can(user, Permission.CASES_READ, Row(city["C"].id, uuid.uuid4()))
    assert not can(user, Permission.REPORTS_READ)


def test_nobody_reaches_a_row_about_themselves(
    db_session: Session, city: dict[str, School]
) -> None:
    me = make_teacher(db_session, city["A"])
    user = load_principal(
        db_session,
        _account(db_session, me, (Role.SUPERVISOR, ScopeKind.DISTRICT, city["A"].district_id)),
    )
    assert can(user, Permission.CASES_READ, Row(city["B"].id, uuid.uuid4()))
    assert not can(user, Permission.CASES_READ, Row(city["A"].id, me.id))


def test_district_scope_covers_its_schools_only(
    db_session: Session, city: dict[str, School]
) -> None:
    user = load_principal(
        db_session,
        _account(
            db_session,
            make_teacher(db_session, city["C"]),
            (Role.PSYCHOLOGIST, ScopeKind.DISTRICT, city["A"].district_id),
        ),
    )
    assert can(user, Permission.CASES_WORK, Row(city["A"].id, None))
    assert can(user, Permission.CASES_WORK, Row(city["B"].id, None))
    assert not can(user, Permission.CASES_WORK, Row(city["C"].id, None))


def test_scope_to_returns_exactly_the_in_scope_rows(
    db_session: Session, city: dict[str, School]
) -> None:
    me = make_teacher(db_session, city["A"])
    others = {name: make_teacher(db_session, school) for name, school in city.items()}
    user = load_principal(
        db_session,
        _account(
            db_session,
            me,
            (Role.PSYCHOLOGIST, ScopeKind.SCHOOL, city["A"].id),
            (Role.PSYCHOLOGIST, ScopeKind.SCHOOL, city["B"].id),
        ),
    )
    query = scope_to(select(Teacher.id), user, Permission.CASES_READ, Teacher.school_id, Teacher.id)
    assert set(db_session.scalars(query)) == {others["A"].id, others["B"].id}


def test_pending_and_revoked_grants_give_nothing(
    db_session: Session, city: dict[str, School]
) -> None:
    account = _account(
        db_session,
        make_teacher(db_session, city["A"]),
        (Role.PSYCHOLOGIST, ScopeKind.SCHOOL, city["A"].id),
    )
    account.grants[0].status = GrantStatus.PENDING
    db_session.flush()
    user = load_principal(db_session, account)
    assert not can(user, Permission.CASES_READ)
    assert (
        db_session.scalars(
            scope_to(select(Teacher.id), user, Permission.CASES_READ, Teacher.school_id)
        ).all()
        == []
    )


def test_analyst_and_administrators_reach_no_case_or_identity(
    db_session: Session, city: dict[str, School]
) -> None:
    for role in (Role.ANALYST, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR):
        user = load_principal(db_session, _account(db_session, None, (role, ScopeKind.CITY, None)))
        for permission in (Permission.CASES_READ, Permission.IDENTITY_REVEAL):
            assert not can(user, permission, Row(city["A"].id, None)), (role, permission)
