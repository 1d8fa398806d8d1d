"""Follow-up work per level at release time: deadlines met, escalations, referrals, outcomes.

Read from ``case_events`` and ``case_steps`` up to the release time and protected like every
other table. A level's cases opened and closed are already published (protected) in the table of
cases by level and state; here each level's row is a partition of that number, protected with it
frozen where it is shown and hidden where it is hidden, so the two tables never disagree and no
cell is narrowed below k values by the shown total. Shares are given only where their numerator
is shown and their denominator is shown and at least k, top- and bottom-coded.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.case_models import CaseEvent
from alerts.escalation_models import CaseStep
from alerts.models import Case, CaseState
from alerts.rules import Deadline, StepKind
from alerts.states import DEFAULT_OPTIONS
from reports.deadlines import CaseClock, tally
from reports.disclosure import protect
from reports.render import WITHHELD, pct_text
from reports.tables import Table, count_texts
from survey.models import Wave

LEVELS = ["crisis", "high"]
NOT_RECORDED = "未记录 Not recorded"
# A level to which a column does not apply (high has no acknowledge deadline).
NOT_APPLICABLE = "不适用 n/a"


def partition_row(counts: list[int], total: str, k: int) -> list[str]:
    """One level's counts (summing to a total published elsewhere as ``total``), protected.

    The total is frozen as published. Where it was hidden, the whole row is withheld: its parts
    would bound the hidden total (their sum) more tightly than its own table allowed.
    """
    if not total.isdigit():
        return [WITHHELD] * len(counts) + [total]
    row = np.array([*counts, sum(counts)], np.int64)
    table = np.vstack([row, row])
    frozen = np.zeros(table.shape, bool)
    frozen[:, -1] = True
    return count_texts(table, protect(table, k, frozen=frozen), k)[0]


def share_text(texts: list[str], part: int, k: int) -> str:
    """``texts[part]`` over the row's total (last cell) as a coded share, only if both shown."""
    head, total = texts[part], texts[-1]
    if not (head.isdigit() and total.isdigit()) or int(total) < k:
        return ""
    return pct_text(int(head) / int(total))


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


def deadline_table(
    session: Session, wave: Wave, now: dt.datetime, k: int, opened: dict[str, str]
) -> Table:
    """Per level: acknowledged and first contacted on time, late, not yet, with on-time shares."""
    counts = tally(_clocks(session, wave, now), LEVELS, now)
    rows = []
    for level in LEVELS:
        contact = partition_row(counts[level][3:], opened[level], k)
        if level == "crisis":
            ack = partition_row(counts[level][:3], opened[level], k)
            ack_cells = [*ack[:3], share_text(ack, 0, k)]
        else:
            ack_cells = [NOT_APPLICABLE] * 4
        rows.append([level, contact[-1], *ack_cells, *contact[:3], share_text(contact, 0, k)])
    columns = ["", "开案 Opened",
               "按时确认 Acknowledged on time", "逾期确认 Acknowledged late",
               "尚未确认 Not yet acknowledged", "按时确认率 Acknowledged on time %",
               "按时首次联系 First contact on time", "逾期首次联系 First contact late",
               "尚未联系 Not yet contacted", "按时联系率 Contacted on time %"]  # fmt: skip
    note = ("确认期限仅适用于危机个案；占比仅在分子与分母均公开且分母至少为 k 时给出。"
            " Only crisis cases have an acknowledge deadline; a share is given only where its"
            " count and its denominator are shown and the denominator is at least k. “—”: the"
            " level's number of cases is not shown, so neither are its parts.")  # fmt: skip
    return Table("期限 Deadlines met, per level", columns, rows, note, "deadlines")


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


def referral_table(session: Session, wave: Wave, now: dt.datetime, k: int) -> Table:
    """Cases referred by release time, per level and referral type if the counts allow."""
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
    title = "转介 Referrals, per level"
    table, all_hidden = _grid(f"{title} and type", cols, body, k)
    if all_hidden:  # by type says nothing: publish the number referred per level alone
        table = _grid(title, ["转介个案 Cases referred"], body.sum(axis=1, keepdims=True), k)[0]
    return table


def outcome_table(
    session: Session, wave: Wave, now: dt.datetime, k: int, closed: dict[str, str]
) -> Table:
    """Outcomes of the cases closed by release time, per level (a partition of "closed")."""
    rows = session.execute(
        select(Case.level, Case.outcome, func.count())
        .where(Case.wave_id == wave.id, Case.state == CaseState.CLOSED)
        .group_by(Case.level, Case.outcome)
    ).all()  # fmt: skip
    outcomes = list(DEFAULT_OPTIONS.outcomes)
    outcomes += sorted({str(o) for _l, o, _n in rows if o and o not in outcomes})
    cols = [*outcomes, NOT_RECORDED]
    counts = {level: [0] * len(cols) for level in LEVELS}
    for level, outcome, n in rows:
        if level.value in LEVELS:
            counts[level.value][cols.index(outcome) if outcome else -1] += n
    table_rows = [[level, *partition_row(counts[level], closed[level], k)] for level in LEVELS]
    note = "“—”：该级别已结案数未公开，其构成亦不公开 “—”: closed cases not shown, nor their parts"
    return Table("结案结果 Outcomes of closed cases, per level", ["", *cols, "已结案 Closed"],
                 table_rows, note, "outcomes")  # fmt: skip
