"""Follow-up in aggregate at release time: cases by level and state, deadlines, escalations,
referrals, outcomes, outreach, and psychologists' load."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.models import Case, CaseState, Outreach
from reports.casework import deadline_table, escalation_table, outcome_table, referral_table
from reports.disclosure import Protected, protect
from reports.tables import Table, count_texts
from survey.models import Wave

_STATES = [s.value for s in CaseState]


def followup_tables(
    session: Session, wave: Wave, k: int, cap: int, now: dt.datetime | None = None
) -> list[Table]:
    """Cases by level × state, their deadlines and outcomes, outreach, protected; load vs cap."""
    now = now or dt.datetime.now(dt.UTC)
    rows = session.execute(
        select(Case.level, Case.state, func.count()).where(Case.wave_id == wave.id)
        .group_by(Case.level, Case.state)
    ).all()  # fmt: skip
    levels = ["crisis", "high", "moderate"]
    body = np.zeros((len(levels), len(_STATES)), np.int64)
    for level, state, n in rows:
        if level.value in levels:
            body[levels.index(level.value), _STATES.index(state.value)] += n
    by_state, _result = _protected("随访个案 Cases by level and state", levels, _STATES, body, k)
    # Each level's opened (row total) and closed cells, as this table published them.
    opened = {lv: by_state.rows[levels.index(lv)][-1] for lv in levels}
    closed = {lv: by_state.rows[levels.index(lv)][1 + _STATES.index("closed")] for lv in levels}
    tables = [
        by_state,
        deadline_table(session, wave, now, k, opened),
        escalation_table(session, wave, now, k),
        referral_table(session, wave, now, k),
        outcome_table(session, wave, now, k, closed),
    ]
    outreach = session.execute(
        select(Outreach.state, func.count()).where(Outreach.wave_id == wave.id)
        .group_by(Outreach.state)
    ).all()  # fmt: skip
    states = sorted({s.value for s, _n in outreach}) or ["offered"]
    counts = np.array([[dict((s.value, n) for s, n in outreach).get(s, 0) for s in states]])
    tables.append(
        _protected("关怀外联 Outreach (moderate) by state", ["outreach"], states, counts, k)[0]
    )
    tables.append(_load(session, cap))
    return tables


def _protected(
    title: str, rows: list[str], cols: list[str], body: np.ndarray, k: int
) -> tuple[Table, Protected]:
    full = np.zeros((body.shape[0] + 1, body.shape[1] + 1), np.int64)
    full[:-1, :-1], full[:-1, -1] = body, body.sum(axis=1)
    full[-1] = full[:-1].sum(axis=0)
    result = protect(full, k)
    texts = count_texts(full, result, k)
    names = [*rows, "合计 Total"]
    table = Table(title, ["", *cols, "合计 Total"], [[names[i], *t] for i, t in enumerate(texts)])
    return table, result


def _load(session: Session, cap: int) -> Table:
    """Open cases per assigned psychologist against the cap (staff workload, no teacher data)."""
    open_states = [
        CaseState.NEW,
        CaseState.ACKNOWLEDGED,
        CaseState.CONTACTED,
        CaseState.FOLLOWING_UP,
    ]
    loads = session.scalars(
        select(func.count()).where(Case.assignee_id.is_not(None), Case.state.in_(open_states))
        .group_by(Case.assignee_id)
    ).all()  # fmt: skip
    values = np.array(loads or [0])
    row = [
        str(len(loads)),
        f"{float(np.median(values)):.1f}",
        str(int(values.max())),
        str(cap),
        str(int((values >= cap).sum())),
    ]
    columns = [
        "有个案的心理教师 Psychologists with cases",
        "中位数 Median",
        "最多 Most",
        "上限 Cap",
        "达到上限 At or over cap",
    ]
    return Table("心理教师负荷 Psychologists' load", columns, [row], kind="load")
