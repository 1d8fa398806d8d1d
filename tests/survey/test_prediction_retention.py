"""At the end of retention the second reader's predictions go with the answers they were drawn
from, through ``flask retention purge`` on both databases; a dry run leaves them, and a wave still
within retention keeps its own."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.model_models import RiskEvaluation, RiskModel, RiskPrediction
from census.models import Wave, WaveState
from db import utcnow
from tests.support.apps import CommittedApp
from tests.support.factories.census import answers_for, make_submitted_response, make_wave
from tests.support.factories.org import make_school, make_teacher

DAY = dt.timedelta(days=1)


def _predicted_wave(session: Session, model: RiskModel, closes_at: dt.datetime) -> list[uuid.UUID]:
    """A released wave closing at ``closes_at``, two teachers' responses and their predictions."""
    wave = make_wave(session, opens_at=closes_at - 14 * DAY, closes_at=closes_at,
                     state=WaveState.RELEASED, released_at=closes_at + DAY)  # fmt: skip
    school = make_school(session, name="留存校", district="留存区")
    ids = []
    for p in (0.25, 0.75):
        teacher = make_teacher(session, school)
        response = make_submitted_response(
            session, wave, teacher, answers_for(wave.battery), at=closes_at - DAY
        )
        prediction = RiskPrediction(model_id=model.id, wave_id=wave.id, response_id=response.id,
                                    pseudonym=response.pseudonym, probability=p,
                                    outcome=False)  # fmt: skip
        session.add(prediction)
        session.flush()
        ids.append(prediction.id)
    return ids


def _left(env: CommittedApp) -> set[uuid.UUID]:
    with env.session() as session:
        return set(session.scalars(select(RiskPrediction.id)))


def test_the_purge_deletes_the_predictions_of_waves_past_retention(env: CommittedApp) -> None:
    now = utcnow()
    with Session(env.database.engine) as session, session.begin():
        model = RiskModel(file_name="x.skops", digest=secrets.token_hex(32), trained_by="system",
                          record={})  # fmt: skip
        session.add(model)
        session.flush()
        # Far from either side of the limit: the command reads the real clock.
        old = _predicted_wave(session, model, now - 4 * 366 * DAY)
        recent = _predicted_wave(session, model, now - 30 * DAY)
        first = session.scalars(select(Wave.id).order_by(Wave.closes_at)).first()
        assert first is not None
        session.add(RiskEvaluation(model_id=model.id, wave_id=first, outcome_wave_id=first,
                                   rows=2, metrics={"n": 2}))  # fmt: skip
    runner = env.app.test_cli_runner()

    dry = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert _left(env) == {*old, *recent}

    done = runner.invoke(args=["retention", "purge"])

    assert done.exit_code == 0, done.output
    assert "answers: deleted 2" in done.output
    assert _left(env) == set(recent)
    with env.session() as session:
        # The evaluation is an aggregate, small groups suppressed: it stays, as reports do.
        assert session.scalar(select(RiskEvaluation.rows)) == 2
