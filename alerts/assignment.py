"""Giving a case to someone: routing at opening, a claim, a supervisor's reassignment.

Every assignment is a timeline row and an audit entry (ids only), so a supervisor can answer
for who held a case when. The routing at intake is the system's: its entry waits for the wave to
close (``alerts.case_audit``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.case_audit import record_system
from alerts.case_models import CaseEvent
from alerts.models import Case
from alerts.routing import RoutingPolicy, route
from privacy.audit.record import record


def assign(
    session: Session,
    case: Case,
    assignee_id: uuid.UUID | None,
    actor_id: uuid.UUID | None,
    now: dt.datetime,
    *,
    how: str,
    note: str | None = None,
    action: str = "case.assign",
    extra: Mapping[str, object] | None = None,
) -> CaseEvent:
    """Give ``case`` to ``assignee_id`` (None: back to the unassigned list), logged and audited.

    ``note`` is sealed on the timeline entry; ``extra`` adds to the audit detail (ids, words
    and numbers only, as every audit entry).
    """
    case.assignee_id = assignee_id
    case.assigned_at = now if assignee_id is not None else None
    event = CaseEvent(
        case_id=case.id, actor_id=actor_id, at=now, action=how,
        from_state=case.state, to_state=case.state, assignee_id=assignee_id,
    )  # fmt: skip
    if note:
        event.note = note
    session.add(event)
    session.flush()
    detail = {"assignee": assignee_id, "how": how, **(extra or {})}
    if actor_id is None:  # routing at intake: held back while the wave is open
        record_system(session, case.id, action, detail)
    else:
        record(session, actor_id, action, object_type="case", object_id=case.id, detail=detail)
    return event


def previous_case(session: Session, case: Case) -> Case | None:
    """The latest earlier case about the same teacher, if any."""
    stmt = (
        select(Case)
        .where(Case.pseudonym == case.pseudonym, Case.id != case.id)
        .where(Case.opened_at <= case.opened_at)
        .order_by(Case.opened_at.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def place_new_case(
    session: Session,
    case: Case,
    now: dt.datetime,
    policy: RoutingPolicy,
    *,
    assign_to: uuid.UUID | None = None,
) -> None:
    """Link a new case to the teacher's earlier one and route it (in the opening transaction)."""
    earlier = previous_case(session, case)
    if earlier is not None:
        case.previous_case_id = earlier.id
    if assign_to is not None:  # a psychologist took it up from the outreach list
        assign(session, case, assign_to, assign_to, now, how="take_up")
        return
    assignee = route(session, case, policy)
    if assignee is not None:
        assign(session, case, assignee, None, now, how="route")
