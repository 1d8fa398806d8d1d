"""Every list and lookup of cases and outreach goes through ``accounts.policy.scope_to``.

A case is about a teacher, known here by pseudonym; the self-exclusion compares the roster record
behind that pseudonym with the account's own, so nobody ever finds a case about themselves.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.policy import CITY, Principal, scope_to
from accounts.roles import Permission, Role, ScopeKind
from alerts.models import Case, CaseState, Outreach, OutreachState
from alerts.routing import RoutingPolicy, open_case_counts
from alerts.states import due_at, is_overdue
from census.models import Response
from org.models import School, Teacher
from scoring.levels import RiskLevel

PAGE_SIZE = 25
T = TypeVar("T")


def _subject(pseudonym_column: object) -> ColumnElement[uuid.UUID]:
    return select(Teacher.id).where(Teacher.pseudonym == pseudonym_column).scalar_subquery()


def scoped_cases(principal: Principal, permission: Permission) -> Select[tuple[Case]]:
    """All cases ``principal`` may see with ``permission``: in scope, never about themselves."""
    return scope_to(select(Case), principal, permission, Case.school_id, _subject(Case.pseudonym))


def find_case(
    session: Session, principal: Principal, case_id: uuid.UUID, permission: Permission
) -> Case | None:
    """The case by id if ``principal`` may see it with ``permission``; None hides it."""
    stmt = scoped_cases(principal, permission).where(Case.id == case_id)
    return session.scalars(stmt).one_or_none()


def case_deadline(case: Case) -> dt.datetime | None:
    """The case's next deadline in its current state."""
    return due_at(case.state, case.acknowledge_due_at, case.contact_due_at, case.next_contact_at)


def queue_order(cases: Sequence[Case], now: dt.datetime) -> list[Case]:
    """Overdue first, then the more severe level, then the nearest deadline."""
    far = dt.datetime.max.replace(tzinfo=dt.UTC)

    def key(case: Case) -> tuple[bool, int, dt.datetime]:
        deadline = case_deadline(case)
        return (not is_overdue(deadline, now), -case.level.severity, deadline or far)

    return sorted(cases, key=key)


def my_cases(session: Session, principal: Principal, now: dt.datetime) -> list[Case]:
    """The open cases ``principal`` holds, in queue order."""
    stmt = scoped_cases(principal, Permission.CASES_READ).where(
        Case.assignee_id == principal.account_id, Case.state != CaseState.CLOSED
    )
    return queue_order(session.scalars(stmt).all(), now)


def unassigned_cases(session: Session, principal: Principal, now: dt.datetime) -> list[Case]:
    """The district's open cases nobody holds (routing found nobody eligible), in queue order."""
    stmt = scoped_cases(principal, Permission.CASES_ASSIGN).where(
        Case.assignee_id.is_(None), Case.state != CaseState.CLOSED
    )
    return queue_order(session.scalars(stmt).all(), now)


def page_of(items: Sequence[T], page: int) -> list[T] | None:
    """One page of ``items`` (1-based); None for a page past the end (the view answers 404)."""
    if page < 1 or (page > 1 and (page - 1) * PAGE_SIZE >= len(items)):
        return None
    return list(items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])


def outreach_list(
    session: Session, principal: Principal, home_school_id: int | None, policy: RoutingPolicy
) -> list[Outreach]:
    """Outreach a psychologist may take up: in scope, not about themselves, oldest first."""
    stmt = scope_to(
        select(Outreach).where(Outreach.state != OutreachState.TAKEN_UP),
        principal,
        Permission.CASES_WORK,
        Outreach.school_id,
        _subject(Outreach.pseudonym),
    ).where(Outreach.case_id.is_(None))
    if policy.exclude_same_school and home_school_id is not None:
        stmt = stmt.where(Outreach.school_id != home_school_id)
    return list(session.scalars(stmt.order_by(Outreach.created_at)).all())


def outreach_levels(session: Session, outreach: Sequence[Outreach]) -> dict[uuid.UUID, RiskLevel]:
    """Response id -> the rule-based level each outreach was opened from: moderate for a caring
    message, low or moderate for one opened from the check-in list. An erased level is absent."""
    wanted = sorted({item.response_id for item in outreach})
    if not wanted:
        return {}
    stmt = select(Response.id, Response.risk_level).where(
        Response.id.in_(wanted), Response.risk_level.is_not(None)
    )
    return {response_id: level for response_id, level in session.execute(stmt)}


def find_outreach(
    session: Session, principal: Principal, outreach_id: uuid.UUID
) -> Outreach | None:
    """The outreach by id if ``principal`` may work it."""
    stmt = scope_to(
        select(Outreach).where(Outreach.id == outreach_id),
        principal,
        Permission.CASES_WORK,
        Outreach.school_id,
        _subject(Outreach.pseudonym),
    )
    return session.scalars(stmt).one_or_none()


@dataclass(frozen=True)
class Load:
    """One psychologist's open cases in the supervisor's district, how many are overdue, and
    whether routing passes them by (at the cap, counting all their cases)."""

    account_id: uuid.UUID
    username: str
    open_cases: int
    overdue: int
    cap: int
    is_full: bool


def district_psychologists(session: Session, principal: Principal) -> list[tuple[uuid.UUID, str]]:
    """Active psychologists with a grant reaching into the supervisor's schools."""
    reach = principal.reach.get(Permission.CASES_ASSIGN, frozenset())
    stmt = (
        select(StaffAccount.id, StaffAccount.username)
        .join(RoleGrant, RoleGrant.account_id == StaffAccount.id)
        .where(
            StaffAccount.is_active.is_(True),
            RoleGrant.role == Role.PSYCHOLOGIST,
            RoleGrant.status == GrantStatus.ACTIVE,
        )
        .distinct()
        .order_by(StaffAccount.username)
    )
    if reach is not CITY:
        schools = sorted(reach)
        districts = select(School.district_id).where(School.id.in_(schools))
        stmt = stmt.where(
            ((RoleGrant.scope_kind == ScopeKind.SCHOOL) & RoleGrant.school_id.in_(schools))
            | ((RoleGrant.scope_kind == ScopeKind.DISTRICT) & RoleGrant.district_id.in_(districts))
        )
    return [(a, u) for a, u in session.execute(stmt).all()]


def workload(session: Session, principal: Principal, now: dt.datetime, cap: int) -> list[Load]:
    """Each district psychologist's open and overdue cases in the supervisor's district only.

    A psychologist may also serve another district; those cases are not this supervisor's to
    count. Only whether routing passes them by (the cap counts every case they hold) is shown.
    """
    people = district_psychologists(session, principal)
    totals = open_case_counts(session, [a for a, _ in people])
    held = session.scalars(
        scoped_cases(principal, Permission.CASES_ASSIGN).where(
            Case.assignee_id.in_([a for a, _ in people]), Case.state != CaseState.CLOSED
        )
    ).all()
    here: dict[uuid.UUID, int] = {}
    overdue: dict[uuid.UUID, int] = {}
    for case in held:
        if case.assignee_id is None:
            continue
        here[case.assignee_id] = here.get(case.assignee_id, 0) + 1
        if is_overdue(case_deadline(case), now):
            overdue[case.assignee_id] = overdue.get(case.assignee_id, 0) + 1
    return [
        Load(a, u, here.get(a, 0), overdue.get(a, 0), cap, totals.get(a, 0) >= cap)
        for a, u in people
    ]
