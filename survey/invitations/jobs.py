"""The scheduler's invitation sweeps ("survey.invitations", "survey.reminders") and the lost-link
throttle table's retention rule.

Each sweep is ``run_X(database, settings, now)``: it loads the waves, asks the pure rules in
``survey.invitations.messages``, writes, and commits once. Every write is keyed (a unique
invitation, a unique notification key), so a sweep that runs twice, after a crash, or in two
schedulers at once does each thing once.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from census.models import WaveState
from config.current import settings_of
from config.settings import Settings
from db import Database
from db.current import database_of
from ops.retention import PurgeContext, Rule, matching_rows
from ops.scheduler import scheduler_of
from privacy.audit.record import record
from privacy.vault import key_ring
from survey.invitations.lost_link import WINDOW
from survey.invitations.messages import enqueue_for_wave, register_guards
from survey.invitations.models import LostLinkAttempt
from survey.invitations.service import ensure_invitations
from survey.waves.jobs import locked_waves


def run_invitation_sweep(database: Database, settings: Settings, now: dt.datetime) -> int:
    """Invite every active teacher of scheduled and open waves, and send the invitations due."""
    created = 0
    with Session(database.engine) as session, session.begin():
        for wave in locked_waves(session, WaveState.SCHEDULED, WaveState.OPEN):
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
        for wave in locked_waves(session, WaveState.OPEN):
            queued += enqueue_for_wave(session, settings, wave, now, reminders=True)
    return queued


def _old_lost_link_attempts(context: PurgeContext) -> ColumnElement[bool]:
    # Only the throttles' hour and the lock-burst window (at most a day) read them.
    return LostLinkAttempt.at < context.now - max(WINDOW, dt.timedelta(days=1))


purge_lost_link_attempts = matching_rows(LostLinkAttempt, _old_lost_link_attempts)


def retention_rules() -> list[Rule]:
    """The throttle table keeps a day of rows (lost-link requests, PIN codes, gate failures)."""
    return [Rule("lost-link-attempts", purge_lost_link_attempts)]


def install(app: Flask) -> None:
    """Register the outbox guards of invitation messages and schedule both sweeps."""
    register_guards()
    settings, database, scheduler = settings_of(app), database_of(app), scheduler_of(app)
    seconds = settings.wave_sweep_seconds
    scheduler.add_job("survey.invitations", run_invitation_sweep, seconds, database, settings)
    scheduler.add_job("survey.reminders", run_reminder_sweep, seconds, database, settings)
