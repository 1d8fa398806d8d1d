"""Follow-up work per level at release time, read from the database: deadlines met, escalations,
referrals, outcomes.

Read from ``case_events`` and ``case_steps`` up to the release time. Deadlines, referrals and
outcomes share counts with the table of cases by level and state and are protected with it
(``reports.linked``); escalations count steps, not people, and are protected alone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.case_models import CaseEvent
from alerts.escalation_models import CaseStep
from alerts.models import Case, CaseState
from alerts.rules import Deadline, StepKind
from alerts.states import DEFAULT_OPTIONS
from reports.deadlines import CaseClock, tally
from reports.disclosure import protect
from reports.tables import Table, count_texts
from survey.models import Wave

LEVELS = ["crisis", "high"]
NOT_RECORDED = "未记录 Not recorded"


def _clocks(session: Session, wave: Wave, now: dt.datetime) -> list[CaseClock]:
    cases = session.execute(
        select(Case.id, Case.level, Case.acknowledge_due_at, Case.contact_due_at)
        .where(Case.wave_id == wave.id)
    ).all()  # fmt: skip
    events: dict[uuid.UUID, list[tuple[dt.datetime, str, str]]] = defaultdict(list)
    for case_id, at, src, dst in session.execute(
        select(CaseEvent.case_id, CaseEvent.at, CaseEvent.from_state, CaseEvent.to_state)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(Case.wave_id == wave.id, CaseEvent.at <= now)
    ):  # fmt: skip
        events[case_id].append((at, src.value, dst.value))
    return [
        CaseClock(level.value, ack, contact, tuple(events.get(cid, ())))
        for cid, level, ack, contact in cases
    ]


def deadline_counts(session: Session, wave: Wave, now: dt.datetime) -> dict[str, list[int]]:
    """Per level: [ack on time, late, not yet, first contact on time, late, not yet]."""
    return tally(_clocks(session, wave, now), LEVELS, now)


def _grid(title: str, cols: list[str], body: np.ndarray, k: int) -> tuple[Table, bool]:
    """A levels × columns table protected alone; whether every body cell ended up hidden."""
    full = np.zeros((body.shape[0] + 1, body.shape[1] + 1), np.int64)
    full[:-1, :-1], full[:-1, -1] = body, body.sum(axis=1)
    full[-1] = full[:-1].sum(axis=0)
    result = protect(full, k)
    texts = count_texts(full, result, k)
    names = [*LEVELS, "合计 Total"]
    table = Table(title, ["", *cols, "合计 Total"], [[names[i], *t] for i, t in enumerate(texts)])
    return table, bool(result.hidden[:-1, :-1].all())


def escalation_table(session: Session, wave: Wave, now: dt.datetime, k: int) -> Table:
    """Escalation steps done by release time, per level and deadline (steps, not people)."""
    deadlines = [Deadline.ACKNOWLEDGE, Deadline.CONTACT]
    body = np.zeros((len(LEVELS), len(deadlines)), np.int64)
    for level, deadline, n in session.execute(
        select(Case.level, CaseStep.deadline, func.count())
        .join(Case, Case.id == CaseStep.case_id)
        .where(Case.wave_id == wave.id, CaseStep.kind == StepKind.ESCALATION,
               CaseStep.done_at <= now)
        .group_by(Case.level, CaseStep.deadline)
    ):  # fmt: skip
        if level.value in LEVELS:
            body[LEVELS.index(level.value), deadlines.index(deadline)] += n
    cols = ["确认逾期升级 Acknowledge escalations", "联系逾期升级 Contact escalations"]
    return _grid("升级 Escalations, per level and deadline", cols, body, k)[0]


def referral_counts(
    session: Session, wave: Wave, now: dt.datetime
) -> tuple[list[str], NDArray[np.int64]]:
    """Cases referred by release time, per level × referral type (last column: not recorded)."""
    rows = session.execute(
        select(Case.level, CaseEvent.referral_type, func.count(func.distinct(CaseEvent.case_id)))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(Case.wave_id == wave.id, CaseEvent.to_state == CaseState.REFERRED,
               CaseEvent.at <= now)
        .group_by(Case.level, CaseEvent.referral_type)
    ).all()  # fmt: skip
    types = list(DEFAULT_OPTIONS.referral_types)
    types += sorted({str(t) for _l, t, _n in rows if t and t not in types})
    cols = [*types, NOT_RECORDED]
    body = np.zeros((len(LEVELS), len(cols)), np.int64)
    for level, kind, n in rows:
        if level.value in LEVELS:
            body[LEVELS.index(level.value), cols.index(kind) if kind else -1] += n
    return cols, body


def outcome_counts(session: Session, wave: Wave) -> tuple[list[str], NDArray[np.int64]]:
    """Closed cases per level × outcome (last column: not recorded), a partition of "closed"."""
    rows = session.execute(
        select(Case.level, Case.outcome, func.count())
        .where(Case.wave_id == wave.id, Case.state == CaseState.CLOSED)
        .group_by(Case.level, Case.outcome)
    ).all()  # fmt: skip
    outcomes = list(DEFAULT_OPTIONS.outcomes)
    outcomes += sorted({str(o) for _l, o, _n in rows if o and o not in outcomes})
    cols = [*outcomes, NOT_RECORDED]
    body = np.zeros((len(LEVELS), len(cols)), np.int64)
    for level, outcome, n in rows:
        if level.value in LEVELS:
            body[LEVELS.index(level.value), cols.index(outcome) if outcome else -1] += n
    return cols, body
