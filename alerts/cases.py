"""Working a case: transitions through the state machine, identity reveal and withdrawal (cases
given by hand are alerts/handover.py). Services take the session first and only flush; the
request or job commits. Who may call them is the view's question (alerts/queries.py finds the
row in scope); these functions check what depends on the case itself: the assignee.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.case_audit import record_system
from alerts.case_models import CaseEvent
from alerts.models import Case, CaseState
from alerts.routing import (
    teacher_of,
)
from alerts.states import (
    DEFAULT_OPTIONS,
    WITHDRAWN,
    Action,
    CaseOptions,
    Step,
    closes_after_withdrawal,
    next_state,
    withdrawal_keeps_contact,
)
from config.settings import Settings
from privacy.audit.record import record


class CaseRefused(Exception):
    """The case cannot be worked this way by this person; ``code`` keys the message."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "not_assignee": "只有负责本个案的人可以这样做。 Only the person holding this case "
        "can do this.",
        "ineligible": "此人不能接手该个案（本人、同校或已满额）。 This person cannot take the case "
        "(themselves, the same school, or at the cap).",
        "taken": "该个案已有负责人。 Someone already holds this case.",
        "outreach_taken": "这份关怀已被接手。 This outreach was already taken up.",
        "override_reason": "越过规则需选择理由类别并写明理由（至少 6 个字）。 Going past a rule "
        "needs a reason chosen from the list and written out (at least 6 characters).",
    }

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        super().__init__(message or self.MESSAGES[code])


@dataclass(frozen=True)
class Identity:
    """Who the teacher is and how to reach them, for the call."""

    name: str | None
    phone: str | None
    email: str | None


def options_from_settings(settings: Settings) -> CaseOptions:
    """The outcome and referral lists ``settings`` configure (the defaults where they name none)."""
    outcomes = _words(settings.case_outcomes) or DEFAULT_OPTIONS.outcomes
    return CaseOptions(
        # Withdrawal closes cases as withdrawn whatever the configured list says.
        outcomes=outcomes if WITHDRAWN in outcomes else (*outcomes, WITHDRAWN),
        referral_types=_words(settings.case_referral_types) or DEFAULT_OPTIONS.referral_types,
        unreachable_attempts=settings.case_unreachable_attempts,
    )


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(",") if w.strip())


def attempts_logged(session: Session, case: Case) -> int:
    """How many failed contact attempts the contact log holds."""
    stmt = select(func.count(CaseEvent.id)).where(
        CaseEvent.case_id == case.id, CaseEvent.action == Action.ATTEMPT.value
    )
    return int(session.scalar(stmt) or 0)


def apply_step(
    session: Session,
    case: Case,
    actor_id: uuid.UUID,
    step: Step,
    now: dt.datetime,
    *,
    note: str | None = None,
    options: CaseOptions,
) -> CaseEvent:
    """Move ``case`` by ``step`` as its assignee; logs who, when, states and the sealed note."""
    if case.assignee_id != actor_id:
        raise CaseRefused("not_assignee")
    if step.action is Action.ATTEMPT:
        step = Step(step.action, attempts_so_far=attempts_logged(session, case))
    elif step.action is Action.CLOSE and step.outcome is not None:
        attempts = attempts_logged(session, case)
        step = Step(step.action, outcome=step.outcome, attempts_so_far=attempts)
    target = next_state(case.state, step, now, options)
    event = _log(session, case, actor_id, step, target, now, note)
    if closes_after_withdrawal(case.teacher_withdrew_at is not None, step.action):
        # The one caring contact kept under PIPL art. 13(4) is made: the case closes as withdrawn.
        _log(session, case, None, Step(Action.CLOSE, outcome=WITHDRAWN), CaseState.CLOSED, now)
        case.reasons = None
    return event


def _log(
    session: Session,
    case: Case,
    actor_id: uuid.UUID | None,
    step: Step,
    target: CaseState,
    now: dt.datetime,
    note: str | None = None,
) -> CaseEvent:
    event = CaseEvent(
        case_id=case.id, actor_id=actor_id, at=now, action=step.action.value,
        from_state=case.state, to_state=target, next_contact_at=step.next_contact_at,
        referral_type=step.referral, outcome=step.outcome,
    )  # fmt: skip
    if note:
        event.note = note
    case.state = target
    case.next_contact_at = step.next_contact_at if target is CaseState.FOLLOWING_UP else None
    if step.referral is not None:
        case.referral_type = step.referral
    if target is CaseState.CLOSED:
        case.outcome, case.closed_at = step.outcome, now
    session.add(event)
    session.flush()
    detail = {"step": step.action.value, "from_state": event.from_state, "to_state": target}
    if actor_id is None:  # a withdrawal's close: held back while the wave is open
        record_system(session, case.id, "case.transition", detail)
    else:
        record(session, actor_id, "case.transition", object_type="case", object_id=case.id,
               detail=detail)  # fmt: skip
    return event


def reveal_identity(session: Session, case: Case, actor_id: uuid.UUID) -> Identity:
    """Name and contact of the teacher, for the assignee only; audited as ``identity.reveal``."""
    if case.assignee_id != actor_id:
        raise CaseRefused("not_assignee")
    teacher = teacher_of(session, case.pseudonym)
    record(
        session, actor_id, "identity.reveal", object_type="case", object_id=case.id,
        detail={"subject": case.pseudonym},
    )  # fmt: skip
    if teacher is None:
        return Identity(None, None, None)
    return Identity(teacher.name, teacher.phone, teacher.email)


def settle_withdrawal(session: Session, case: Case, now: dt.datetime) -> bool:
    """Withdrawal through the state machine; True when a crisis case keeps one caring contact."""
    if case.state is CaseState.CLOSED:
        case.reasons = None
        return False
    if withdrawal_keeps_contact(case.level, case.state):
        case.teacher_withdrew_at = now
        return True
    _log(session, case, None, Step(Action.CLOSE, outcome=WITHDRAWN), CaseState.CLOSED, now)
    case.reasons = None
    return False
