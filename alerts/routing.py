"""Routing a case to a psychologist (DESIGN.md): a pure choice, and the loader that feeds it.

The least-loaded psychologist whose active grant scope holds the teacher's school; never the
teacher themselves (psychology teachers are surveyed too); by default not a colleague employed at
the same school (they may meet in the staff room tomorrow); under a cap of open cases. If nobody
is eligible, the case stays unassigned, on the district supervisors' list.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role, ScopeKind
from alerts.models import Case, CaseState
from config.settings import Settings
from org.models import School, Teacher


@dataclass(frozen=True)
class RoutingPolicy:
    """The cap of open cases per psychologist and whether same-school colleagues are excluded."""

    cap: int = 15
    exclude_same_school: bool = True


@dataclass(frozen=True)
class Candidate:
    """A psychologist who might take the case: who they are, where they work, how loaded."""

    account_id: uuid.UUID
    teacher_id: uuid.UUID | None
    home_school_id: int | None
    open_cases: int


# The rules a case given by hand may break, with a written reason; nobody holds their own case.
SAME_SCHOOL, CAP, SELF = "same_school", "cap", "self"


def rules_against(
    candidate: Candidate, teacher_id: uuid.UUID | None, school_id: int, policy: RoutingPolicy
) -> tuple[str, ...]:
    """The routing rules that keep ``candidate`` from a case about ``teacher_id`` at
    ``school_id``: the teacher themselves, a colleague at the same school, the cap."""
    if teacher_id is not None and candidate.teacher_id == teacher_id:
        return (SELF,)
    rules = []
    if policy.exclude_same_school and candidate.home_school_id == school_id:
        rules.append(SAME_SCHOOL)
    if candidate.open_cases >= policy.cap:
        rules.append(CAP)
    return tuple(rules)


def is_eligible(
    candidate: Candidate, teacher_id: uuid.UUID | None, school_id: int, policy: RoutingPolicy
) -> bool:
    """Whether ``candidate`` may be given a case about ``teacher_id`` at ``school_id``."""
    return not rules_against(candidate, teacher_id, school_id, policy)


def choose(
    candidates: Iterable[Candidate],
    teacher_id: uuid.UUID | None,
    school_id: int,
    policy: RoutingPolicy,
) -> uuid.UUID | None:
    """The least-loaded eligible candidate (ties by account id, so it is reproducible)."""
    eligible = [c for c in candidates if is_eligible(c, teacher_id, school_id, policy)]
    if not eligible:
        return None
    return min(eligible, key=lambda c: (c.open_cases, str(c.account_id))).account_id


def policy_from_settings(settings: Settings) -> RoutingPolicy:
    """The routing policy ``settings`` configure (the open-case cap, the same-school rule)."""
    return RoutingPolicy(
        cap=settings.open_case_cap, exclude_same_school=settings.route_exclude_own_school
    )


def teacher_of(session: Session, pseudonym: str) -> Teacher | None:
    """The roster record behind a case's pseudonym."""
    return session.scalars(select(Teacher).where(Teacher.pseudonym == pseudonym)).one_or_none()


def open_case_counts(session: Session, account_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many open (not closed) cases each account holds."""
    if not account_ids:
        return {}
    rows = session.execute(
        select(Case.assignee_id, func.count(Case.id))
        .where(Case.assignee_id.in_(account_ids), Case.state != CaseState.CLOSED)
        .group_by(Case.assignee_id)
    ).all()
    return {account: int(count) for account, count in rows}


def load_candidates(session: Session, school_id: int) -> list[Candidate]:
    """Active psychologists whose active grant scope holds ``school_id``, with their load."""
    district_id = session.scalar(select(School.district_id).where(School.id == school_id))
    covers = or_(
        RoleGrant.scope_kind == ScopeKind.CITY,
        (RoleGrant.scope_kind == ScopeKind.SCHOOL) & (RoleGrant.school_id == school_id),
        (RoleGrant.scope_kind == ScopeKind.DISTRICT) & (RoleGrant.district_id == district_id),
    )
    rows = session.execute(
        select(StaffAccount.id, StaffAccount.teacher_id, Teacher.school_id)
        .join(RoleGrant, RoleGrant.account_id == StaffAccount.id)
        .outerjoin(Teacher, Teacher.id == StaffAccount.teacher_id)
        .where(
            StaffAccount.is_active.is_(True),
            RoleGrant.role == Role.PSYCHOLOGIST,
            RoleGrant.status == GrantStatus.ACTIVE,
            covers,
        )
        .distinct()
    ).all()
    counts = open_case_counts(session, [row[0] for row in rows])
    return [Candidate(a, t, s, counts.get(a, 0)) for a, t, s in rows]


def load_candidate(session: Session, account_id: uuid.UUID) -> Candidate | None:
    """One account as a holder of cases (a supervisor taking one by hand), with its load."""
    row = session.execute(
        select(StaffAccount.teacher_id, Teacher.school_id)
        .outerjoin(Teacher, Teacher.id == StaffAccount.teacher_id)
        .where(StaffAccount.id == account_id)
    ).one_or_none()
    if row is None:
        return None
    load = open_case_counts(session, [account_id]).get(account_id, 0)
    return Candidate(account_id, row.teacher_id, row.school_id, load)


def route(session: Session, case: Case, policy: RoutingPolicy) -> uuid.UUID | None:
    """The account the case should go to now, or None for the supervisors' unassigned list."""
    teacher = teacher_of(session, case.pseudonym)
    return choose(
        load_candidates(session, case.school_id),
        teacher.id if teacher is not None else None,
        case.school_id,
        policy,
    )
