"""A withdrawn answer takes its level with it, also where it stood as the outcome of an earlier
prediction (both databases): the outcome is forgotten and not filled in again."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.orm import Session

from analysis.model_models import RiskModel, RiskPrediction
from census.models import Invitation, WaveState
from survey.teacher.consent import withdraw
from tests.support.factories.census import answers_for, make_submitted_response, make_wave
from tests.support.factories.org import make_school, make_teacher


def test_withdrawing_a_later_wave_forgets_the_outcome_it_gave(db_session: Session) -> None:
    now = dt.datetime.now(dt.UTC)
    school = make_school(db_session, name="甲校", district="一区")
    teacher, other = make_teacher(db_session, school), make_teacher(db_session, school)
    first = make_wave(db_session, name="一", state=WaveState.RELEASED, released_at=now)
    second = make_wave(db_session, name="二", state=WaveState.RELEASED, released_at=now)
    battery = list(first.battery)
    model = RiskModel(file_name="m.skops", digest=secrets.token_hex(32), trained_by="system",
                      record={})  # fmt: skip
    db_session.add(model)
    db_session.flush()
    predictions = []
    for who in (teacher, other):
        earlier = make_submitted_response(db_session, first, who, answers_for(battery))
        make_submitted_response(db_session, second, who, answers_for(battery, phq9=20))
        prediction = RiskPrediction(model_id=model.id, wave_id=first.id, response_id=earlier.id,
                                    pseudonym=earlier.pseudonym, probability=0.3,
                                    outcome_wave_id=second.id, outcome=True)  # fmt: skip
        db_session.add(prediction)
        predictions.append(prediction)
    db_session.flush()
    later = next(i for i in _invitations(db_session, second.id) if i.teacher_id == teacher.id)

    withdraw(db_session, later, now)
    db_session.flush()
    for prediction in predictions:
        db_session.refresh(prediction)
    mine, theirs = predictions
    assert mine.outcome is None and mine.outcome_wave_id == second.id  # forgotten, not re-filled
    assert theirs.outcome is True  # another teacher's outcome stays


def _invitations(session: Session, wave_id: int) -> list[Invitation]:
    """The invitations of one wave."""
    return list(session.query(Invitation).filter(Invitation.wave_id == wave_id))
