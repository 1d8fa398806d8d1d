"""Follow-up in aggregate at release time: cases by level and state, deadlines, escalations,
referrals, outcomes, outreach, and psychologists' load."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.models import Case, CaseState
from census.models import Wave
from reports.casework import escalation_table
from reports.floors import CaseFloors
from reports.linked import linked_tables
from reports.render import figure_text
from reports.snapshot import read_followup_counts
from reports.tables import Table


def followup_tables(
    session: Session,
    wave: Wave,
    k: int,
    cap: int,
    now: dt.datetime | None = None,
    floors: CaseFloors | None = None,
) -> list[Table]:
    """Cases by level × state, their deadlines, referrals and outcomes, outreach, protected
    together (they share counts) and with the ``floors`` the release's band tables give
    (``reports.floors``); escalations protected alone; load vs cap."""
    now = now or dt.datetime.now(dt.UTC)
    counts = read_followup_counts(session, wave, now)
    linked = linked_tables(counts, k, floors)
    return [
        linked["by_state"],
        linked["deadlines"],
        escalation_table(session, wave, now, k),
        linked["referrals"],
        linked["outcomes"],
        linked["outreach"],
        _load(session, cap, k),
    ]


def _load(session: Session, cap: int, k: int) -> Table:
    """Open cases per assigned psychologist against the cap (staff workload, no teacher data).

    The number of psychologists is a count of staff, shown as it is; a psychologist's number of
    open cases counts teachers, so the median and the most are figures of a group and follow the
    same rule as every count: below k, only "< k" (with one psychologist, "most" would otherwise
    be the city's open cases, which the by-state table hides).
    """
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
        figure_text(float(np.median(values)), k, "{:.1f}"),
        figure_text(int(values.max()), k),
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
