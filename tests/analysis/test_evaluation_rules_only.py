"""An evaluation at release weighs the model against "rules only" (the rule-based level at the
predicted wave already high or crisis) as well as "contact all", on both databases."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from analysis.model_models import RiskModel, RiskPrediction
from analysis.model_panel import released_panel
from analysis.predictions import settle_outcomes
from census.models import WaveState
from scoring.levels import RiskLevel
from tests.support.factories.census import answers_for, make_submitted_response, make_wave
from tests.support.factories.org import make_school, make_teacher

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
# (PHQ-9 total at the predicted wave, at the outcome wave, probability): 17 scores high, 0 low.
TEACHERS = [
    *[(17, 17, 0.6)] * 3,  # the rules flag them, and they stay high
    (17, 0, 0.3),  # the rules flag them; they are low next time
    *[(0, 17, 0.2)] * 2,  # the rules miss them
    *[(0, 0, 0.05)] * 6,
]


def test_rules_only_net_benefit_is_in_the_evaluation(app: Flask, db_session: Session) -> None:
    first = make_wave(db_session, name="一", opens_at=T0, state=WaveState.RELEASED,
                      released_at=T0 + dt.timedelta(days=20))  # fmt: skip
    second = make_wave(db_session, name="二", opens_at=T0 + dt.timedelta(days=120),
                       state=WaveState.RELEASED,
                       released_at=T0 + dt.timedelta(days=140))  # fmt: skip
    model = RiskModel(file_name="x.skops", digest=secrets.token_hex(32), trained_by="system",
                      record={})  # fmt: skip
    db_session.add(model)
    db_session.flush()
    school = make_school(db_session, name="对照校", district="对照区")
    for before, after, p in TEACHERS:
        teacher = make_teacher(db_session, school)
        response = make_submitted_response(
            db_session, first, teacher, answers_for(first.battery, phq9=before), at=T0
        )
        make_submitted_response(db_session, second, teacher, answers_for(second.battery,
                                phq9=after), at=T0 + dt.timedelta(days=121))  # fmt: skip
        assert response.risk_level is (RiskLevel.HIGH if before else RiskLevel.LOW)
        db_session.add(RiskPrediction(model_id=model.id, wave_id=first.id,
                                      response_id=response.id, pseudonym=response.pseudonym,
                                      probability=p))  # fmt: skip
    db_session.flush()

    rows = released_panel(db_session, up_to=second)
    evaluation = settle_outcomes(db_session, second, rows, T0 + dt.timedelta(days=140), k=5)[0]

    n, tp, fp = len(TEACHERS), 3, 1
    for pt, figures in evaluation.metrics["net_benefit"].items():
        odds = float(pt) / (1 - float(pt))
        # Vickers & Elkin 2006: NB = TP/n - FP/n * pt / (1 - pt).
        assert figures["rules_only"] == pytest.approx(tp / n - fp / n * odds)
        assert figures["contact_all"] == pytest.approx(5 / n - 7 / n * odds)
