"""The analysis jobs of one app: the hourly response-quality sweep, the assessment made inside a
wave's release, and the ``quality`` command of ``flask --app app analysis``.

``install`` (called by ``create_app``) schedules the sweep on the app's one scheduler and
connects a receiver of ``census.signals.wave_released`` bound to the app's engine, so that the
notes are final in the same transaction as the release. Each is safe to run twice.
"""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from analysis.quality_job import assess_wave, run_quality_sweep, waves_to_assess
from census.models import Wave, WaveState
from census.signals import wave_released
from config.current import settings_of
from db import utcnow
from db.current import current_database, database_of
from ops.scheduler import scheduler_of

QUALITY_SWEEP_SECONDS = 3600
# app.extensions: the app's release receiver (the signal holds receivers weakly).
RECEIVER = "xinan.analysis.release_receiver"


def install(app: Flask) -> None:
    """Schedule the quality sweep and assess each wave at its release."""
    settings, database = settings_of(app), database_of(app)
    scheduler_of(app).add_job(
        "analysis.quality", run_quality_sweep, QUALITY_SWEEP_SECONDS, database, settings
    )

    def assess_at_release(
        sender: Engine, *, session: Session, wave: Wave, now: dt.datetime
    ) -> None:
        assess_wave(session, wave.id, now)

    wave_released.connect(assess_at_release, sender=database.engine)
    app.extensions[RECEIVER] = assess_at_release


@click.command("quality")
@with_appcontext
@click.option("--wave", "wave_id", type=int, help="Only this wave (default: open and closed).")
def quality(wave_id: int | None) -> None:
    """Assess response quality now: the notes psychologists see on a case or outreach."""
    session = current_database().session()
    if wave_id is None:
        wave_ids = waves_to_assess(session)
    else:
        wave = session.get(Wave, wave_id)
        if wave is None or wave.state in (WaveState.DRAFT, WaveState.SCHEDULED):
            raise click.ClickException(f"no wave {wave_id} with answers to assess")
        wave_ids = [wave_id]
    for one in wave_ids:
        written = assess_wave(session, one, utcnow())
        session.commit()  # one transaction per wave, as the sweep
        click.echo(f"wave {one}: {written} notes written")
