"""What the audit chain learns about the system's own work on a case, and when.

People's actions on a case — a claim, a reveal, a contact, a reassignment — are written to the
chain at the second they happen: that is what the chain is for. The system's own actions are
different. A case opens, and is routed, in the very transaction of the teacher's answer (the
PHQ-9 page save, the submission), and its first reminder fires a fixed time later. Written then,
those entries tell the auditor at the second "whoever is answering right now endorsed the
safety item" — and tell it to anyone who knows who was answering at that moment (issue 15,
finding 2; docs/decisions/0009-no-live-risk-figures.md).

So while a case's wave is open its system entries are held back: the case row and its timeline
(``case_events``, ``case_steps``) keep every fact, and once the wave has closed the sweep writes
them into the chain, case by case in id order and without their times (``settle_closed_waves``).
From then on — once a case's ``case.open`` entry is in the chain — the system's entries about it
are written at once, as before.

Exactly once: every writer decides under the audit head's lock (``hold_head``), so the sweep and
a system action on the same case can neither both write an entry nor both leave it out.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.case_models import CaseEvent
from alerts.escalation_models import CaseStep
from alerts.models import Case
from alerts.rules import StepKind
from census.models import Wave, WaveState
from config.settings import Settings
from db import Database
from privacy.audit.models import AuditEntry
from privacy.audit.record import hold_head, record

OPENED = "case.open"
# Written for a wave once every case it opened while open is in the chain.
SETTLED = "wave.cases_audited"
ROUTED = "route"
BATCH = 500


def _wave_is_open(session: Session, wave_id: int) -> bool:
    # A column read, not the identity map: the state as committed now, under the head lock.
    state = session.execute(select(Wave.state).where(Wave.id == wave_id)).scalar_one()
    return WaveState(state) is WaveState.OPEN


def opened_in_chain(session: Session, case_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``case_ids`` have their ``case.open`` entry in the chain."""
    wanted = {str(i): i for i in case_ids}
    found: set[uuid.UUID] = set()
    keys = sorted(wanted)
    for start in range(0, len(keys), BATCH):
        rows = session.scalars(
            select(AuditEntry.object_id).where(
                AuditEntry.action == OPENED,
                AuditEntry.object_type == "case",
                AuditEntry.object_id.in_(keys[start : start + BATCH]),
            )
        )
        found.update(wanted[str(key)] for key in rows)
    return found


def record_opening(session: Session, case: Case) -> None:
    """At intake: ``case.open`` now if the wave no longer takes answers, else when it closes."""
    hold_head(session)
    if not _wave_is_open(session, case.wave_id):
        record(session, "system", OPENED, object_type="case", object_id=case.id,
               detail={"wave": case.wave_id})  # fmt: skip


def record_system(
    session: Session, case_id: uuid.UUID, action: str, detail: Mapping[str, object]
) -> None:
    """A system action on a case: written now if the case's opening is in the chain, else left
    to the sweep, which writes it from the case's timeline once the wave has closed."""
    hold_head(session)
    if opened_in_chain(session, [case_id]):
        record(session, "system", action, object_type="case", object_id=case_id, detail=detail)


def in_chain_now(session: Session, case_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """``opened_in_chain`` under the head lock: for a writer that records only about these."""
    hold_head(session)
    return opened_in_chain(session, case_ids)


def _held_back(session: Session, case_id: uuid.UUID, wave_id: int) -> None:
    record(session, "system", OPENED, object_type="case", object_id=case_id,
           detail={"wave": wave_id, "held": True})  # fmt: skip
    events = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case_id, CaseEvent.actor_id.is_(None))
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    for event in events:
        if event.action == ROUTED:
            detail: dict[str, object] = {"assignee": event.assignee_id, "how": ROUTED}
            record(session, "system", "case.assign", object_type="case", object_id=case_id,
                   detail=detail)  # fmt: skip
        else:
            detail = {"step": event.action, "from_state": event.from_state,
                      "to_state": event.to_state}  # fmt: skip
            record(session, "system", "case.transition", object_type="case", object_id=case_id,
                   detail=detail)  # fmt: skip
    steps = dict(
        session.execute(
            select(CaseStep.kind, func.count()).where(CaseStep.case_id == case_id)
            .group_by(CaseStep.kind)
        ).tuples().all()
    )  # fmt: skip
    if steps:
        detail = {"reminders": int(steps.get(StepKind.REMINDER, 0)),
                  "escalations": int(steps.get(StepKind.ESCALATION, 0))}  # fmt: skip
        record(session, "system", "case.steps", object_type="case", object_id=case_id,
               detail=detail)  # fmt: skip


def settle_batch(session: Session, wave_id: int, after: uuid.UUID | None) -> uuid.UUID | None:
    """Write the held-back entries of up to BATCH of the wave's cases after ``after`` (by id);
    returns the last case looked at, or None when the wave is settled (its marker written)."""
    hold_head(session)
    query = select(Case.id).where(Case.wave_id == wave_id).order_by(Case.id).limit(BATCH)
    if after is not None:
        query = query.where(Case.id > after)
    case_ids = list(session.scalars(query))
    written = opened_in_chain(session, case_ids)
    for case_id in case_ids:
        if case_id not in written:
            _held_back(session, case_id, wave_id)
    if len(case_ids) < BATCH:
        if wave_id in unsettled_waves(session):  # a second scheduler may have got here first
            record(session, "system", SETTLED, object_type="wave", object_id=wave_id)
        return None
    return case_ids[-1]


def unsettled_waves(session: Session) -> list[int]:
    """Closed or released waves whose held-back case entries are not yet in the chain."""
    settled = select(AuditEntry.object_id).where(
        AuditEntry.action == SETTLED, AuditEntry.object_type == "wave"
    )
    done = {int(wave_id) for wave_id in session.scalars(settled) if wave_id is not None}
    closed = session.scalars(
        select(Wave.id).where(Wave.state.in_((WaveState.CLOSED, WaveState.RELEASED)))
    )
    return sorted(int(w) for w in closed if int(w) not in done)


def run_case_audit_sweep(database: Database, settings: Settings, now: dt.datetime) -> int:
    """Settle every closed wave, one batch of cases per transaction; returns waves settled."""
    with Session(database.engine) as session, session.begin():
        waves = unsettled_waves(session)
    for wave_id in waves:
        after: uuid.UUID | None = None
        while True:
            with Session(database.engine) as session, session.begin():
                after = settle_batch(session, wave_id, after)
            if after is None:
                break
    return len(waves)
