"""The scheduler's wave sweep: open and close waves by the clock ("survey.waves").

``run_wave_sweep(database, settings, now)`` loads the waves, asks the pure rules in
``survey.waves.rules`` (through ``advance_by_clock``), writes, and commits once. Every write is a
state the clock has reached, so a sweep that runs twice, after a crash, or in two schedulers at
once moves each wave once. ``locked_waves`` is also how the invitation sweeps take their waves.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from census.models import Wave, WaveState
from census.score_spread import freeze_score_spreads, unfrozen_closed_waves
from config.current import settings_of
from config.settings import Settings
from db import Database, begin_for_write
from db.current import database_of
from ops.scheduler import scheduler_of
from privacy.audit.record import record
from survey.waves.service import advance_by_clock


def locked_waves(session: Session, *states: WaveState) -> list[Wave]:
    """The waves in ``states``, locked for this transaction (the caller then writes)."""
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
        for wave in locked_waves(session, WaveState.SCHEDULED, WaveState.OPEN):
            for state in advance_by_clock(session, wave, now):
                action = "wave.open" if state is WaveState.OPEN else "wave.close"
                record(session, "system", action, object_type="wave", object_id=wave.id)
                moved += 1
        for wave in unfrozen_closed_waves(session):
            freeze_score_spreads(session, wave, now)
    return moved


def install(app: Flask) -> None:
    """Schedule the wave sweep on the app's one scheduler."""
    settings, database, scheduler = settings_of(app), database_of(app), scheduler_of(app)
    scheduler.add_job(
        "survey.waves", run_wave_sweep, settings.wave_sweep_seconds, database, settings
    )
