"""The deadline sweep: reminders before a case's deadlines and escalations once they pass.

``run_case_step_sweep(database, settings, now)`` works in bounded batches, one transaction each:
take the write lock (SQLite) or lock a batch of due cases with ``FOR UPDATE SKIP LOCKED``
(PostgreSQL, so several schedulers share the work), ask ``alerts.rules.due_steps`` what is due,
insert each step under its unique key, queue its messages (keyed by the step) for only the steps
this transaction inserted, write each case's ``next_step_at``, and commit. A crash rolls a batch
back whole; a second scheduler's insert finds the key taken and queues nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import uuid
from collections.abc import Iterator
from typing import Any, cast
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import Row, Table, select, text, update
from sqlalchemy.orm import Session

from accounts.staff_notices import Notice, Recipient, accounts_by_id, supervisors_by_district
from alerts.case_audit import in_chain_now, run_case_audit_sweep
from alerts.escalation_models import CaseStep
from alerts.models import Case
from alerts.rules import (
    CaseClock,
    Deadline,
    EscalationPolicy,
    Step,
    StepKind,
    due_steps,
    is_met,
    next_step_at,
)
from alerts.staff_notify import DIGEST_LINKS, INBOX_DIGEST_AFTER, deliver_notices, describe, digest
from config.current import settings_of
from config.settings import Settings
from db import Database, begin_for_write, utcnow
from db.bulk import BinaryList, insert_new
from db.current import database_of
from notifications.outbox import register_guard
from ops.scheduler import scheduler_of
from privacy.audit.record import record

log = logging.getLogger(__name__)
KEY_PREFIX = "casestep"
COLUMNS = (
    Case.id,
    Case.level,
    Case.state,
    Case.opened_at,
    Case.acknowledge_due_at,
    Case.contact_due_at,
    Case.assignee_id,
    Case.district_id,
)


def escalation_policy(settings: Settings) -> EscalationPolicy:
    """The step rules' numbers from the settings."""
    return EscalationPolicy(
        crisis_reminder_lead=dt.timedelta(minutes=settings.crisis_reminder_minutes),
        high_reminder_lead=dt.timedelta(hours=settings.high_reminder_hours),
        crisis_repeat=dt.timedelta(minutes=settings.crisis_escalation_repeat_minutes),
        high_repeat_working_days=settings.high_escalation_repeat_working_days,
        timezone=ZoneInfo(settings.timezone),
    )


def clock_of(row: Row[Any]) -> CaseClock:
    """The rules' view of a loaded case row."""
    return CaseClock(
        level=str(row.level),
        state=str(row.state),
        opened_at=row.opened_at,
        acknowledge_due_at=row.acknowledge_due_at,
        contact_due_at=row.contact_due_at,
    )


def step_key(case_id: uuid.UUID, step: Step, account_id: uuid.UUID) -> str:
    """The outbox and inbox key of one step told to one account."""
    return f"{KEY_PREFIX}:{case_id}:{step.key}:{account_id}"


def _due_cases(session: Session, now: dt.datetime, limit: int) -> list[Row[Any]]:
    begin_for_write(session)  # become the one writer before reading (SQLite)
    query = (
        select(*COLUMNS)
        .where(Case.next_step_at <= now)
        .order_by(Case.next_step_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.execute(query).all())


def _insert_steps(
    session: Session, planned: list[tuple[Row[Any], Step, int]], now: dt.datetime
) -> set[tuple[uuid.UUID, str]]:
    """Insert the planned steps; returns the (case id, step key) of those this run inserted."""
    if not planned:
        return set()
    table = cast(Table, CaseStep.__table__)
    values = [
        {
            "case_id": row.id,
            "deadline": step.deadline,
            "kind": step.kind,
            "seq": step.seq,
            "due_at": step.due_at,
            "done_at": now,
            "recipients": heard,
        }
        for row, step, heard in planned
    ]
    unique = ["case_id", "deadline", "kind", "seq"]
    inserted = insert_new(session, table, values, unique, unique)
    return {(r[0], f"{r[1]}.{r[2]}.{r[3]}") for r in inserted}


def _set_next_step(session: Session, pairs: list[tuple[uuid.UUID, dt.datetime | None]]) -> None:
    """Write each case's next look in one statement (PostgreSQL) or one executemany (SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(update(Case), [{"id": i, "next_step_at": at} for i, at in pairs])
        return
    session.execute(
        text(
            "UPDATE cases SET next_step_at = v.at FROM unnest("
            "CAST(:ids AS uuid[]), CAST(:ats AS timestamptz[])) AS v(id, at) "
            # The ANY() lets the planner probe the primary key instead of scanning every case.
            "WHERE cases.id = v.id AND cases.id = ANY(CAST(:ids AS uuid[]))"
        ),
        {"ids": BinaryList(i for i, _ in pairs), "ats": BinaryList(at for _, at in pairs)},
    )


def audience(
    row: Row[Any],
    step: Step,
    supervisors: dict[int, list[Recipient]],
    assignees: dict[uuid.UUID, Recipient],
) -> list[Recipient]:
    """Reminders go to the assignee; escalations to the district supervisors and the assignee.

    A case nobody is assigned to sits on the supervisors' unassigned list: they are reminded.
    """
    assignee = assignees.get(row.assignee_id) if row.assignee_id else None
    chiefs = supervisors.get(row.district_id, [])
    if step.kind is StepKind.REMINDER:
        return [assignee] if assignee else list(chiefs)
    return [*chiefs, *([assignee] if assignee and assignee not in chiefs else [])]


def _notices(
    settings: Settings,
    done: list[tuple[Row[Any], Step, list[Recipient]]],
    zone: ZoneInfo,
    chiefs: set[uuid.UUID],
) -> list[Notice]:
    """Each person's notices of this batch: one per step, or one digest for a backlog.

    A person with more than ``INBOX_DIGEST_AFTER`` steps in the batch gets one digest linking
    their queue (the district view for supervisors); no per-step text is built for them.
    """
    base = settings.base_url.rstrip("/")
    by_person: dict[uuid.UUID, tuple[Recipient, list[tuple[Row[Any], Step]]]] = {}
    for row, step, people in done:
        for person in people:
            by_person.setdefault(person.account_id, (person, []))[1].append((row, step))
        if not people:
            # Nobody to tell is itself an alarm for operators: the district has no supervisor.
            log.error(
                "case step had nobody to notify",
                extra={"event": "cases.step_unheard", "case": str(row.id), "step": step.key},
            )
    notices: list[Notice] = []
    texts: dict[tuple[uuid.UUID, str], tuple[str, str, str]] = {}
    for person, mine in by_person.values():
        if len(mine) > INBOX_DIGEST_AFTER:
            notices.append(_backlog(base, person, mine, person.account_id in chiefs))
            continue
        for row, step in mine:
            told = texts.get((row.id, step.key))
            if told is None:
                due = row.acknowledge_due_at if step.deadline is Deadline.ACKNOWLEDGE else None
                due = due or row.contact_due_at
                told = describe(step, str(row.level), due, f"{base}/cases/{row.id}", zone)
                texts[(row.id, step.key)] = told
            key = step_key(row.id, step, person.account_id)
            kind = f"case.{step.kind.value}"
            notices.append(Notice(key, person, row.id, kind, *told))
    return notices


def _backlog(
    base: str, person: Recipient, mine: list[tuple[Row[Any], Step]], chief: bool
) -> Notice:
    row, step = mine[0]
    escalations = sum(1 for _, s in mine if s.kind is StepKind.ESCALATION)
    links = [f"- {base}/cases/{r.id}" for r, _ in mine[:DIGEST_LINKS]]
    view = f"{base}/district" if chief else f"{base}/cases"
    where = f"请在以下页面处理。Work them from this page (login required): {view}"
    first = step_key(row.id, step, person.account_id)
    return digest(first, person, escalations, len(mine), links, where)


def sweep_batch(
    session: Session, settings: Settings, now: dt.datetime, limit: int
) -> tuple[int, int]:
    """One batch in the caller's transaction: (cases looked at, steps done by this run)."""
    policy = escalation_policy(settings)
    rows = _due_cases(session, now, limit)
    clocks = [clock_of(row) for row in rows]
    due = [
        (row, step)
        for row, clock in zip(rows, clocks, strict=True)
        for step in due_steps(clock, now, policy)
    ]
    supervisors = supervisors_by_district(session, {row.district_id for row, _ in due})
    assignees = accounts_by_id(session, {row.assignee_id for row, _ in due if row.assignee_id})
    planned = [(row, step, audience(row, step, supervisors, assignees)) for row, step in due]
    inserted = _insert_steps(session, [(r, s, len(p)) for r, s, p in planned], now)
    done = [(r, s, p) for r, s, p in planned if (r.id, s.key) in inserted]
    chiefs = {p.account_id for people in supervisors.values() for p in people}
    deliver_notices(session, _notices(settings, done, policy.timezone, chiefs), now)
    if rows:
        nexts = [next_step_at(clock, now, policy) for clock in clocks]
        _set_next_step(session, [(row.id, at) for row, at in zip(rows, nexts, strict=True)])
    # Only steps of cases whose opening is in the chain: the others' steps, at a fixed time after
    # the opening, would date it; they wait for the wave to close (alerts.case_audit).
    audited = in_chain_now(session, {r.id for r, _, _ in done}) if done else set()
    kinds = [s.kind for r, s, _ in done if r.id in audited]
    if kinds:
        detail = {
            "reminders": kinds.count(StepKind.REMINDER),
            "escalations": kinds.count(StepKind.ESCALATION),
        }
        record(session, "system", "case.steps", object_type="case_batch", detail=detail)
    return len(rows), len(done)


def run_case_step_sweep(
    database: Database, settings: Settings, now: dt.datetime, *, batch: int | None = None
) -> int:
    """Do every reminder and escalation due by ``now``, batch by batch; returns steps done."""
    limit = batch or settings.case_step_batch
    total = 0
    while True:
        with _gc_paused(), Session(database.engine) as session, session.begin():
            looked, done = sweep_batch(session, settings, now, limit)
        total += done
        if looked < limit:
            return total


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cycle collector for one batch, and collect the young generation after it.

    A batch makes tens of thousands of short-lived, acyclic objects (rows, steps, tuples), which
    reference counting frees anyway; the collector would otherwise walk the whole heap several
    times per batch (about an eighth of the sweep's time with 100,000 cases' worth in memory).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(0)


def still_unmet(session: Session, key: str, now: dt.datetime) -> bool:
    """Outbox guard: send a queued step's e-mail only while its deadline is still unmet."""
    try:
        _prefix, case_id, step, _account = key.split(":")
        deadline = step.split(".")[0]
        state = session.scalar(select(Case.state).where(Case.id == uuid.UUID(case_id)))
    except ValueError:
        return True
    return state is not None and not is_met(Deadline(deadline), str(state))


def _run_logged(database: Database, settings: Settings) -> None:
    try:
        done = run_case_step_sweep(database, settings, utcnow())
    except Exception:
        # The next run retries; the scheduler thread must not die with one bad sweep.
        log.exception("sweep failed", extra={"event": "alerts.case_steps.failed"})
        return
    log.debug("sweep ran", extra={"event": "alerts.case_steps", "result": str(done)})


def _run_audit_logged(database: Database, settings: Settings) -> None:
    try:
        settled = run_case_audit_sweep(database, settings, utcnow())
    except Exception:
        log.exception("sweep failed", extra={"event": "alerts.case_audit.failed"})
        return
    log.debug("sweep ran", extra={"event": "alerts.case_audit", "result": str(settled)})


def install(app: Flask) -> None:
    """Register the outbox guard for step e-mails, the deadline sweep and the sweep that writes
    closed waves' held-back case entries (every minute)."""
    register_guard(KEY_PREFIX, still_unmet)
    settings, database, scheduler = settings_of(app), database_of(app), scheduler_of(app)
    scheduler.add_sweep(
        lambda: _run_logged(database, settings), settings.case_sweep_seconds, "alerts.case_steps"
    )
    scheduler.add_sweep(
        lambda: _run_audit_logged(database, settings),
        settings.case_sweep_seconds,
        "alerts.case_audit",
    )
