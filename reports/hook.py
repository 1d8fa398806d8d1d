"""The release hook: ``survey.waves.service.change_state`` calls this when a wave is released."""

from __future__ import annotations

import datetime as dt

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from census.models import Wave
from config.settings import Settings
from reports.service import build_release


def on_release(session: Session, wave: Wave, now: dt.datetime) -> None:
    """Build the wave's frozen report with the instance's k and case cap."""
    settings = current_app.extensions["xinan.settings"] if has_app_context() else Settings()
    build_release(session, wave, now, settings.disclosure_k, settings.open_case_cap)
