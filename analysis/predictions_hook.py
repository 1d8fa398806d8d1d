"""Predicting at each release, for one app (as ``reports.hook`` freezes its report).

``install`` (called by ``create_app``) connects a receiver of ``census.signals.wave_released``
bound to that app's engine, instance folder and k. It works in a savepoint of the release's
transaction: a model file refused for its digest (audited, logged) or a model that cannot
predict never holds up or undoes the release, and the rule-based routing is untouched.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import Flask
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from analysis.model_files import ModelRefused
from analysis.predictions import at_release
from census.models import Wave
from census.signals import wave_released
from config.settings import Settings
from db.current import database_of
from privacy.audit.record import record

# app.extensions: the app's receiver, kept alive with the app (the signal holds it weakly).
RECEIVER = "xinan.analysis.prediction_receiver"
log = logging.getLogger(__name__)


def install(app: Flask, settings: Settings) -> None:
    """Store this app's predictions when it releases a wave, and evaluate the earlier ones."""
    database = database_of(app)

    def predict(sender: Engine, *, session: Session, wave: Wave, now: dt.datetime) -> None:
        refused: ModelRefused | None = None
        try:
            with session.begin_nested():
                stored = at_release(
                    session, wave, now, settings.instance_path, settings.disclosure_k
                )
        except ModelRefused as error:
            refused = error
        except ValueError as error:  # too few rows, one class: the release goes on without
            log.warning("no predictions for wave %s: %s", wave.id, error)
            return
        if refused is not None:
            log.error("no predictions for wave %s: %s", wave.id, refused)
            # The savepoint took the refusal's entry with it: record it in the release's own.
            record(session, "system", "model.load_refused", outcome="denied",
                   object_type="wave", object_id=wave.id)  # fmt: skip
            return
        if stored:
            record(session, "system", "model.predicted", object_type="wave", object_id=wave.id,
                   detail={"predictions": stored})  # fmt: skip

    wave_released.connect(predict, sender=database.engine)
    app.extensions[RECEIVER] = predict
