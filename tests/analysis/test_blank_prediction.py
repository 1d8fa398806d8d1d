"""At a release, a teacher whose submitted answers to the wave are all blank gets no stored
prediction (the model would score imputed means); everyone else who answered does. Both
databases, through the release command."""

from __future__ import annotations

import json

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.model_models import RiskPrediction
from analysis.training import train_and_register
from config.current import settings_of
from tests.analysis.census_waves import census_teachers, small_census, store_wave


def test_no_prediction_is_stored_for_a_blank_response(app: Flask, db_session: Session) -> None:
    census = small_census()
    teachers = census_teachers(db_session, census, place="空白")
    for number in (0, 1, 2):
        store_wave(db_session, census, teachers, number, released=True)
    train_and_register(db_session, settings_of(app).instance_path)
    wave, responses = store_wave(db_session, census, teachers, 3, released=False)
    blank = responses[0]
    blank.answers = json.dumps({})
    db_session.flush()

    result = app.test_cli_runner().invoke(args=["wave", "release", str(wave.id)])

    assert result.exit_code == 0, result.output
    stmt = select(RiskPrediction.response_id).where(RiskPrediction.wave_id == wave.id)
    predicted = set(db_session.scalars(stmt.execution_options(populate_existing=True)))
    assert predicted == {r.id for r in responses[1:]}
