"""The follow-up counts of a wave as of the release time, from one read of its cases and events.

Every linked follow-up count (by state, deadlines, referrals, outcomes) is derived from the same
rows: the cases opened at or before ``now`` and their events up to ``now``, read in one
statement. A case's state, referral and outcome as of ``now`` come from its events (every state
change is an event, ``alerts.cases._log``), not from the case row, which may already hold later
work. So a case opened or moved while the release is built cannot make one table disagree with
another: the identities of ``reports.linked`` hold by construction. (The level is read from the
case row in the same statement; a raised level has no event, so every table uses the same one.)
Outreach is read next and counted against the same cases: an outreach counts as requested or
taken up only with its case among them, else it was still offered at ``now``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from alerts.case_models import CaseEvent
from alerts.models import Case, Outreach, OutreachState
from alerts.states import DEFAULT_OPTIONS
from census.models import Wave
from reports.deadlines import CaseClock, tally
from reports.linked import LEVELS, OUTREACH_STATES, STATES, FollowupCounts

DEADLINE_LEVELS = ["crisis", "high"]
NOT_RECORDED = "未记录 Not recorded"
WITH_CASE = {OutreachState.REQUESTED.value, OutreachState.TAKEN_UP.value}


@dataclass(frozen=True)
class Event:
    """One logged state change (or a log entry that keeps the state) of a case."""

    at: dt.datetime
    src: str
    dst: str
    referral: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class CaseHistory:
    """A case as read at release time: level, deadlines, and its events up to then, in order."""

    level: str
    acknowledge_due_at: dt.datetime | None
    contact_due_at: dt.datetime
    events: tuple[Event, ...]


def read_cases(session: Session, wave: Wave, now: dt.datetime) -> dict[uuid.UUID, CaseHistory]:
    """The wave's cases opened by ``now`` with their events up to ``now``, in one statement."""
    rows = session.execute(
        select(Case.id, Case.level, Case.acknowledge_due_at, Case.contact_due_at,
               CaseEvent.at, CaseEvent.from_state, CaseEvent.to_state,
               CaseEvent.referral_type, CaseEvent.outcome)
        .outerjoin(CaseEvent, and_(CaseEvent.case_id == Case.id, CaseEvent.at <= now))
        .where(Case.wave_id == wave.id, Case.opened_at <= now)
        .order_by(Case.id, CaseEvent.at)
    ).all()  # fmt: skip
    out: dict[uuid.UUID, CaseHistory] = {}
    for case_id, group in groupby(rows, key=lambda row: row[0]):
        rows_of_case = list(group)
        _id, level, ack, contact = rows_of_case[0][:4]
        events = tuple(
            Event(at, src.value, dst.value, referral, outcome)
            for *_case, at, src, dst, referral, outcome in rows_of_case
            if at is not None
        )
        out[case_id] = CaseHistory(level.value, ack, contact, events)
    return out


def read_outreach(
    session: Session, wave: Wave, now: dt.datetime, case_ids: Iterable[uuid.UUID]
) -> list[str]:
    """Each outreach's state as of ``now``, judged against the cases read (see the docstring)."""
    cases = set(case_ids)
    out = []
    for state, case_id, created_at in session.execute(
        select(Outreach.state, Outreach.case_id, Outreach.created_at)
        .where(Outreach.wave_id == wave.id)
    ):  # fmt: skip
        if state.value in WITH_CASE and case_id in cases:
            out.append(state.value)
        elif created_at <= now:
            out.append(OutreachState.OFFERED.value)
    return out


def state_at(events: Sequence[Event]) -> str:
    """The state the events lead to from "new" (events at the same time taken in chain order)."""
    state = "new"
    for _at, group in groupby(sorted(events, key=lambda e: e.at), key=lambda e: e.at):
        moves = [e for e in group if e.src != e.dst]
        while moves:
            nxt = next((e for e in moves if e.src == state), moves[0])
            state = nxt.dst
            moves.remove(nxt)
    return state


def _columns(known: Sequence[str], seen: Iterable[str | None]) -> list[str]:
    extra = sorted({s for s in seen if s and s not in known})
    return [*known, *extra, NOT_RECORDED]


def followup_counts(
    cases: Sequence[CaseHistory], outreach: Sequence[str], now: dt.datetime
) -> FollowupCounts:
    """What the linked follow-up tables count, from the cases and outreach read at ``now``."""
    by_state = np.zeros((len(LEVELS), len(STATES)), np.int64)
    referred: list[tuple[str, str | None]] = []
    closed: list[tuple[str, str | None]] = []
    for case in cases:
        if case.level not in LEVELS:
            continue
        state = state_at(case.events)
        by_state[LEVELS.index(case.level), STATES.index(state)] += 1
        refer = [e for e in case.events if e.dst == "referred" and e.src != e.dst]
        if refer:
            referred.append((case.level, refer[0].referral))
        if state == "closed":
            close = [e for e in case.events if e.dst == "closed" and e.src != e.dst]
            closed.append((case.level, close[-1].outcome))
    ref_cols = _columns(DEFAULT_OPTIONS.referral_types, (t for _l, t in referred))
    out_cols = _columns(DEFAULT_OPTIONS.outcomes, (o for _l, o in closed))
    clocks = [
        CaseClock(c.level, c.acknowledge_due_at, c.contact_due_at,
                  tuple((e.at, e.src, e.dst) for e in c.events))
        for c in cases
    ]  # fmt: skip
    return FollowupCounts(
        by_state=by_state,
        deadlines=tally(clocks, DEADLINE_LEVELS, now),
        referral_cols=ref_cols,
        referrals=_grid(referred, ref_cols),
        outcome_cols=out_cols,
        outcomes=_grid(closed, out_cols),
        outreach=np.array([outreach.count(s) for s in OUTREACH_STATES], np.int64),
    )


def _grid(items: list[tuple[str, str | None]], cols: list[str]) -> NDArray[np.int64]:
    body = np.zeros((len(DEADLINE_LEVELS), len(cols)), np.int64)
    for level, kind in items:
        if level in DEADLINE_LEVELS:
            body[DEADLINE_LEVELS.index(level), cols.index(kind) if kind else -1] += 1
    return body


def read_followup_counts(session: Session, wave: Wave, now: dt.datetime) -> FollowupCounts:
    """The linked follow-up counts of ``wave`` as of ``now`` (consistent by construction)."""
    cases = read_cases(session, wave, now)
    return followup_counts(list(cases.values()), read_outreach(session, wave, now, cases), now)
