"""Escalations per level at release time, read from ``case_steps`` up to the release time.

Escalations count steps, not people, and are protected alone. Deadlines, referrals and outcomes
share counts with the table of cases by level and state: they are read in ``reports.snapshot``
and protected with it (``reports.linked``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.escalation_models import CaseStep
from alerts.models import Case
from alerts.rules import Deadline, StepKind
from census.models import Wave
from reports.disclosure import protect
from reports.tables import Table, count_texts

LEVELS = ["crisis", "high"]


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
