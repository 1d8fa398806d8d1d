"""The one door from the survey into caring follow-up: everything ``survey`` asks of ``alerts``.

The survey hands a ``Referral`` (who, which school and wave, which level and why) and gets back
plain values: nothing here returns a case or outreach row, so the survey never needs alerts'
tables. Each function runs inside the survey's transaction and only flushes.

* a page save or a submission opens a case (crisis, high) or an outreach (moderate);
* a teacher with a moderate result asks to talk: the outreach becomes a case;
* the answering pages ask whether the response has a crisis case (help lines come first), and
  the receipt page what became of the outreach;
* withdrawal settles the case through its state machine and forgets the outreach;
* answer retention forgets the outreach of the waves past retention;
* the analysis check-in list asks whether a teacher is already followed up, and how many open
  cases a psychologist holds (their spare capacity).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, SQLColumnExpression, delete, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Exists

from alerts import cases, intake
from alerts.intake import OPEN_STATES, Referral
from alerts.models import Case, Outreach, OutreachState
from alerts.routing import RoutingPolicy, open_case_counts, policy_from_settings
from scoring.levels import RiskLevel

__all__ = [
    "OutreachState",
    "Referral",
    "RoutingPolicy",
    "crisis_case_exists",
    "follow_up_exists",
    "forget_outreach",
    "open_case",
    "open_case_count",
    "open_outreach",
    "outreach_state",
    "policy_from_settings",
    "request_talk",
    "settle_withdrawal",
]


def open_case(
    session: Session, referral: Referral, now: dt.datetime, *, routing: RoutingPolicy
) -> None:
    """Open the response's case (crisis or high), routed under ``routing``, or raise its level;
    never a second case."""
    intake.open_case(session, referral, now, routing=routing)


def open_outreach(session: Session, referral: Referral, now: dt.datetime) -> None:
    """Offer the response's caring outreach (moderate), once."""
    intake.open_outreach(session, referral, now)


def request_talk(
    session: Session, referral: Referral, now: dt.datetime, *, routing: RoutingPolicy
) -> None:
    """The teacher asked to talk to someone: the moderate result's outreach becomes a case,
    routed under ``routing``."""
    intake.request_talk(session, referral, now, routing=routing)


def crisis_case_exists(response_id: SQLColumnExpression[uuid.UUID]) -> Exists:
    """Whether the response ``response_id`` (a column of the caller's statement) has a crisis
    case in any state: a clause, so the answering pages read it with the draft in one query."""
    return exists().where(Case.response_id == response_id, Case.level == RiskLevel.CRISIS)


def outreach_state(session: Session, response_id: uuid.UUID) -> OutreachState | None:
    """Where the response's caring outreach stands, or None when none was offered."""
    outreach = intake.outreach_for(session, response_id)
    return None if outreach is None else outreach.state


def settle_withdrawal(session: Session, response_id: uuid.UUID, now: dt.datetime) -> bool:
    """What the teacher's withdrawal does to follow-up: the response's case goes through the
    state machine (logged, audited) and its outreach is deleted. True when a crisis case keeps
    its one caring contact (PIPL art. 13(4))."""
    case = intake.case_for(session, response_id)
    kept = False if case is None else cases.settle_withdrawal(session, case, now)
    outreach = intake.outreach_for(session, response_id)
    if outreach is not None:
        session.delete(outreach)
    return kept


def forget_outreach(session: Session, wave_ids: Sequence[int], *, dry_run: bool = False) -> int:
    """Delete the caring outreach of the waves ``wave_ids`` (count it only, on a dry run); each
    says no more than "this pseudonym scored moderate", derived from answers now erased."""
    where = Outreach.wave_id.in_(wave_ids)
    if dry_run:
        return int(session.scalar(select(func.count()).select_from(Outreach).where(where)) or 0)
    result = session.execute(
        delete(Outreach).where(where).execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def follow_up_exists(pseudonym: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """Whether the teacher ``pseudonym`` (a column of the caller's statement) has an open case
    or an outreach not yet taken up (a taken-up one is a case): a clause, for lists that must
    leave such teachers out."""
    case = exists().where(Case.pseudonym == pseudonym, Case.state.in_(OPEN_STATES))
    outreach = exists().where(
        Outreach.pseudonym == pseudonym, Outreach.state != OutreachState.TAKEN_UP
    )
    return or_(case, outreach)


def open_case_count(session: Session, account_id: uuid.UUID) -> int:
    """How many open (not closed) cases the account holds."""
    return open_case_counts(session, [account_id]).get(account_id, 0)
