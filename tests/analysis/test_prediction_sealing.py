"""A stored prediction's probability and outcome are sealed at rest, as a response's scores are,
and key rotation and ``flask keys status`` cover them; on both databases."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from typing import Any

from sqlalchemy import delete, select

from analysis.model_models import RiskModel, RiskPrediction
from census.models import WaveState
from db import Base
from privacy.rotation import sealed_tables
from privacy.sealing import sealed_header
from privacy.vault import key_ring
from tests.support.apps import CommittedApp, app_session
from tests.support.factories.census import answers_for, make_submitted_response, make_wave
from tests.support.factories.org import make_school, make_teacher
from tests.support.keys import UseKeyRing

P = 0.734521  # printed nowhere else


def _seed(env: CommittedApp) -> uuid.UUID:
    with app_session(env.app) as session:
        wave = make_wave(session, state=WaveState.RELEASED, released_at=dt.datetime.now(dt.UTC))
        school = make_school(session, name="封存校", district="封存区")
        teacher = make_teacher(session, school)
        response = make_submitted_response(session, wave, teacher, answers_for(wave.battery))
        model = RiskModel(file_name="x.skops", digest=secrets.token_hex(32), trained_by="system",
                          record={})  # fmt: skip
        session.add(model)
        session.flush()
        prediction = RiskPrediction(model_id=model.id, wave_id=wave.id, response_id=response.id,
                                    pseudonym=response.pseudonym, probability=P,
                                    outcome=True)  # fmt: skip
        session.add(prediction)
        session.commit()
        return prediction.id


def _raw(env: CommittedApp, prediction_id: uuid.UUID) -> dict[str, Any]:
    table = RiskPrediction.__table__
    with env.session() as session:
        row = session.execute(select(table).where(table.c.id == prediction_id)).mappings().one()
    return dict(row)


def _cells(env: CommittedApp) -> int:
    result = env.app.test_cli_runner().invoke(args=["keys", "status"])
    assert result.exit_code == 0, result.output
    return sum(int(n) for n in re.findall(r"^key \d+.*: (\d+) cells$", result.output, re.M))


def test_probability_and_outcome_are_sealed_and_open_again(env: CommittedApp) -> None:
    prediction_id = _seed(env)

    row = _raw(env, prediction_id)
    for column in ("probability", "outcome"):
        cell = row[column]
        assert isinstance(cell, bytes | memoryview) and str(P)[2:].encode() not in bytes(cell)
    with env.session() as session:
        stored = session.get(RiskPrediction, prediction_id)
        assert stored is not None and (stored.probability, stored.outcome) == (P, True)
    found = {t.table.name: t.columns for t in sealed_tables(Base)}
    assert set(found["risk_predictions"]) == {"probability", "outcome"}


def test_keys_status_counts_and_rotation_reseals_the_prediction_cells(
    env: CommittedApp, use_key_ring: UseKeyRing
) -> None:
    use_key_ring(key_ring())  # the rotation installs a new ring: put the old one back after
    gone = _seed(env)
    with_it = _cells(env)
    with env.session() as session:
        session.execute(delete(RiskPrediction).where(RiskPrediction.id == gone))
        session.commit()
    assert _cells(env) == with_it - 2  # its probability and outcome were counted
    prediction_id = _seed(env)

    rotated = env.app.test_cli_runner().invoke(args=["keys", "rotate"])

    assert rotated.exit_code == 0, rotated.output
    active = key_ring().active_id
    row = _raw(env, prediction_id)
    assert {sealed_header(bytes(row[c]))[2] for c in ("probability", "outcome")} == {active}
    with env.session() as session:
        stored = session.get(RiskPrediction, prediction_id)
        assert stored is not None and (stored.probability, stored.outcome) == (P, True)
