"""Freezing a wave's report when the wave is released, for one app.

``survey`` announces a release with ``census.signals.wave_released``; ``install`` (called by
``create_app``) connects a receiver bound to that app's settings (its k and case cap) and
database. It answers only releases written through that app's engine, so apps built side by
side in one process (the tests) never freeze reports for each other.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from census.models import Wave
from census.signals import wave_released
from config.settings import Settings
from db.current import database_of
from reports.service import build_release

# app.extensions: the app's receiver. The signal holds receivers weakly, so the app keeps its
# own alive, and it goes with the app.
RECEIVER = "xinan.reports.release_receiver"


def install(app: Flask, settings: Settings) -> None:
    """Freeze each wave's report when this app releases it, with this app's k and case cap."""
    database = database_of(app)

    def freeze_report(sender: Engine, *, session: Session, wave: Wave, now: dt.datetime) -> None:
        build_release(session, wave, now, settings.disclosure_k, settings.open_case_cap)

    wave_released.connect(freeze_report, sender=database.engine)
    app.extensions[RECEIVER] = freeze_report
