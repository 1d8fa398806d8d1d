"""Where the survey hands a teacher to caring follow-up: opening cases and outreach, idempotently.

Called inside the survey's own transaction (a page save or a submission), so a case exists exactly
when the answers that called for it do. The survey hands a ``Referral`` (who, which school and
wave, which level and why), never its response row. Keyed by the response: saving the PHQ-9 page
again or submitting never opens a second case, and a later, milder answer never lowers or closes
one — once a safety item was endorsed, a person reaches out whatever the teacher edits afterwards.
Routing, states and escalation work on these rows.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from alerts.assignment import place_new_case
from alerts.case_audit import record_opening
from alerts.models import Case, CaseState, Outreach, OutreachState
from alerts.routing import RoutingPolicy
from alerts.rules import DEFAULT_POLICY, DeadlinePolicy, deadlines_for
from org.models import School
from scoring.levels import RiskLevel

OPEN_STATES = (
    CaseState.NEW, CaseState.ACKNOWLEDGED, CaseState.CONTACTED, CaseState.FOLLOWING_UP,
    CaseState.REFERRED,
)  # fmt: skip
NOT_YET_CONTACTED = (CaseState.NEW, CaseState.ACKNOWLEDGED)


# Built once: the receipt page and every submission that opens a follow-up run these.
_CASE_FOR = select(Case).where(Case.response_id == bindparam("response_id"))
_OUTREACH_FOR = select(Outreach).where(Outreach.response_id == bindparam("response_id"))
_DISTRICT_OF = select(School.district_id).where(School.id == bindparam("school_id"))


@dataclass(frozen=True)
class Referral:
    """One teacher's response handed to follow-up: under which pseudonym, at which school, in
    which wave, at which level, and the rule ids that set it (what the psychologist reads)."""

    response_id: uuid.UUID
    pseudonym: str
    school_id: int
    wave_id: int
    level: RiskLevel
    reasons: tuple[str, ...]


def case_for(session: Session, response_id: uuid.UUID) -> Case | None:
    """The case opened for the response ``response_id``, if any."""
    return session.scalars(_CASE_FOR, {"response_id": response_id}).one_or_none()


def outreach_for(session: Session, response_id: uuid.UUID) -> Outreach | None:
    """The outreach offered for the response ``response_id``, if any."""
    return session.scalars(_OUTREACH_FOR, {"response_id": response_id}).one_or_none()


def _district_of(session: Session, school_id: int) -> int:
    district = session.scalar(_DISTRICT_OF, {"school_id": school_id})
    if district is None:
        raise LookupError("the response's school does not exist")
    return int(district)


def open_case(
    session: Session,
    referral: Referral,
    now: dt.datetime,
    *,
    routing: RoutingPolicy,
    policy: DeadlinePolicy = DEFAULT_POLICY,
    assign_to: uuid.UUID | None = None,
) -> Case:
    """The response's case, opened now if it has none; raised (never lowered) to the referral's
    level, its reasons added.

    A new case is linked to the teacher's earlier case and routed under ``routing`` in the same
    transaction, so it is in a psychologist's queue (or the supervisors' list) the moment it
    exists.
    """
    level, reasons = referral.level, referral.reasons
    if level not in (RiskLevel.CRISIS, RiskLevel.HIGH, RiskLevel.MODERATE):
        raise ValueError("only crisis, high, or a moderate outreach taken up open a case")
    existing = case_for(session, referral.response_id)
    if existing is not None:
        _raise_level(existing, level, reasons, policy)
        return existing
    deadlines = deadlines_for(level.value, now, policy)
    case = Case(
        pseudonym=referral.pseudonym,
        school_id=referral.school_id,
        district_id=_district_of(session, referral.school_id),
        wave_id=referral.wave_id,
        response_id=referral.response_id,
        level=level,
        state=CaseState.NEW,
        opened_at=now,
        acknowledge_due_at=deadlines.acknowledge_due_at,
        contact_due_at=deadlines.contact_due_at,
    )
    case.reasons = json.dumps(sorted(set(reasons)))
    session.add(case)
    session.flush()
    record_opening(session, case)  # held back while the wave is open (alerts.case_audit)
    place_new_case(session, case, now, routing, assign_to=assign_to)
    return case


def _raise_level(
    case: Case, level: RiskLevel, reasons: tuple[str, ...], policy: DeadlinePolicy
) -> None:
    # Reasons only grow: a rule that once fired stays on the record the psychologist reads.
    known = set(json.loads(case.reasons or "[]"))
    if not set(reasons) <= known:
        case.reasons = json.dumps(sorted(known | set(reasons)))
    if case.state not in OPEN_STATES or level.severity <= case.level.severity:
        return
    # A more urgent level tightens the deadlines from the original opening time.
    deadlines = deadlines_for(level.value, case.opened_at, policy)
    case.level = level
    case.acknowledge_due_at = deadlines.acknowledge_due_at
    case.contact_due_at = min(case.contact_due_at, deadlines.contact_due_at)


def open_outreach(session: Session, referral: Referral, now: dt.datetime) -> Outreach:
    """The response's caring outreach (moderate level), created once."""
    existing = outreach_for(session, referral.response_id)
    if existing is not None:
        return existing
    outreach = Outreach(
        pseudonym=referral.pseudonym,
        school_id=referral.school_id,
        district_id=_district_of(session, referral.school_id),
        wave_id=referral.wave_id,
        response_id=referral.response_id,
        state=OutreachState.OFFERED,
        created_at=now,
    )
    session.add(outreach)
    session.flush()
    return outreach


def request_talk(
    session: Session,
    referral: Referral,
    now: dt.datetime,
    *,
    routing: RoutingPolicy,
    policy: DeadlinePolicy = DEFAULT_POLICY,
) -> Case:
    """The teacher pressed "I would like to talk to someone": the outreach becomes a case,
    routed under ``routing``.

    The referral is the moderate result as submitted, with the rule ids that set it: the case
    carries them, so the psychologist reads why (a reliable deterioration, say).
    """
    if referral.level is not RiskLevel.MODERATE:
        raise ValueError("only a moderate result offers an outreach to ask to talk from")
    outreach = open_outreach(session, referral, now)
    case = open_case(session, referral, now, policy=policy, routing=routing)
    if outreach.state is OutreachState.OFFERED:
        outreach.state = OutreachState.REQUESTED
        outreach.requested_at = now
    outreach.case_id = case.id
    session.flush()
    return case
