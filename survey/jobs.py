"""The scheduler's survey sweeps: open and close waves, invite, remind, and drain the outbox.

Each job is ``run_X(database, settings, now)``: it loads rows, asks the pure rules in
``survey.waves.rules`` and ``survey.invitations.messages``, writes, and commits once. Every write
is keyed
(a state the clock has reached, a unique invitation, a unique notification key), so a job that
runs twice, after a crash, or in two schedulers at once does each thing once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from flask import Flask
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from census.models import Wave, WaveState
from census.score_spread import freeze_score_spreads, unfrozen_closed_waves
from config.settings import Settings
from db import Database, begin_for_write, utcnow
from notifications.sweep import run_outbox_sweep
from ops.retention import PurgeContext, matching_rows, register_rule
from privacy.audit.record import record
from privacy.vault import key_ring
from survey.invitations.lost_link import WINDOW
from survey.invitations.messages import enqueue_for_wave, register_guards
from survey.invitations.models import LostLinkAttempt
from survey.invitations.service import ensure_invitations
from survey.teacher.answer_retention import register_answer_retention
from survey.waves.service import advance_by_clock

log = logging.getLogger(__name__)


def _waves(session: Session, *states: WaveState) -> list[Wave]:
    # Become the one writer before reading: on SQLite a transaction that read first could not
    # write once another writer had committed; this one waits its turn instead.
    begin_for_write(session)
    # On PostgreSQL a second scheduler waits here and then sees the first one's changes.
    query = select(Wave).where(Wave.state.in_(states)).order_by(Wave.id).with_for_update()
    return list(session.scalars(query))


def run_wave_sweep(database: Database, settings: Settings, now: dt.datetime) -> int:
    """Open scheduled waves whose time has come and close open ones past their close (freezing
    their score spreads); freeze those of waves closed before spreads were kept."""
    moved = 0
    with Session(database.engine) as session, session.begin():
        for wave in _waves(session, WaveState.SCHEDULED, WaveState.OPEN):
            for state in advance_by_clock(session, wave, now):
                action = "wave.open" if state is WaveState.OPEN else "wave.close"
                record(session, "system", action, object_type="wave", object_id=wave.id)
                moved += 1
        for wave in unfrozen_closed_waves(session):
            freeze_score_spreads(session, wave, now)
    return moved


def run_invitation_sweep(database: Database, settings: Settings, now: dt.datetime) -> int:
    """Invite every active teacher of scheduled and open waves, and send the invitations due."""
    created = 0
    with Session(database.engine) as session, session.begin():
        for wave in _waves(session, WaveState.SCHEDULED, WaveState.OPEN):
            new = ensure_invitations(session, wave, key_ring(), now)
            if new:
                record(
                    session, "system", "wave.invite", object_type="wave", object_id=wave.id,
                    detail={"created": new},
                )  # fmt: skip
            created += new
            if wave.state is WaveState.OPEN:
                enqueue_for_wave(session, settings, wave, now, reminders=False)
    return created


def run_reminder_sweep(database: Database, settings: Settings, now: dt.datetime) -> int:
    """Queue the reminders now due to teachers who have not answered (each at most once)."""
    queued = 0
    with Session(database.engine) as session, session.begin():
        for wave in _waves(session, WaveState.OPEN):
            queued += enqueue_for_wave(session, settings, wave, now, reminders=True)
    return queued


def _logged(
    name: str, job: Callable[[Database, Settings, dt.datetime], object]
) -> Callable[[Database, Settings], None]:
    def run(database: Database, settings: Settings) -> None:
        try:
            result = job(database, settings, utcnow())
        except Exception:
            # The next run retries; the scheduler thread must not die with one bad sweep.
            log.exception("sweep failed", extra={"event": f"{name}.failed"})
            return
        log.debug("sweep ran", extra={"event": name, "result": str(result)})

    return run


def _old_lost_link_attempts(context: PurgeContext) -> ColumnElement[bool]:
    # Only the throttles' hour and the lock-burst window (at most a day) read them.
    return LostLinkAttempt.at < context.now - max(WINDOW, dt.timedelta(days=1))


purge_lost_link_attempts = matching_rows(LostLinkAttempt, _old_lost_link_attempts)


def install(app: Flask) -> None:
    """Register the outbox guards, the retention rules and the four survey sweeps."""
    register_guards()
    register_rule("lost-link-attempts", purge_lost_link_attempts)
    register_answer_retention()
    settings: Settings = app.extensions["xinan.settings"]
    database: Database = app.extensions["xinan.db"]
    scheduler = app.extensions["xinan.scheduler"]
    jobs: list[tuple[str, Callable[[Database, Settings, dt.datetime], object], int]] = [
        ("survey.waves", run_wave_sweep, settings.wave_sweep_seconds),
        ("survey.invitations", run_invitation_sweep, settings.wave_sweep_seconds),
        ("survey.reminders", run_reminder_sweep, settings.wave_sweep_seconds),
        ("alerts.outbox", run_outbox_sweep, settings.outbox_sweep_seconds),
    ]
    for name, job, seconds in jobs:
        run = _logged(name, job)
        scheduler.add_sweep(lambda run=run: run(database, settings), seconds, name)
