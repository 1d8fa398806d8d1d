"""The second reader end to end, on both databases, through the CLI: train on released waves,
predict at each release (never for a teacher who opted out), evaluate when the next wave comes,
and refuse a model file whose digest differs."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.model_files import MODELS_DIR
from analysis.model_models import RiskEvaluation, RiskModel, RiskPrediction
from census.models import Invitation
from config.current import settings_of
from privacy.audit.models import AuditEntry
from tests.analysis.census_waves import census_teachers, small_census, store_wave


def _cli(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return str(result.output)


def _predictions(session: Session, wave_id: int) -> list[RiskPrediction]:
    stmt = select(RiskPrediction).where(RiskPrediction.wave_id == wave_id)
    return list(session.scalars(stmt.execution_options(populate_existing=True)).all())


def test_train_predict_at_release_and_evaluate_at_the_next(app: Flask, db_session: Session) -> None:
    census = small_census()
    teachers = census_teachers(db_session, census)
    for number in (0, 1, 2):
        store_wave(db_session, census, teachers, number, released=True)
    third, third_responses = store_wave(db_session, census, teachers, 3, released=False)
    assert "digest" in _cli(app, "analysis", "train")
    model = db_session.scalars(select(RiskModel)).one()
    assert (settings_of(app).instance_path / MODELS_DIR / model.file_name).is_file()
    assert model.file_name == f"{model.digest}.skops" and model.record["rows"] > 0
    opted_out = db_session.get(Invitation, third_responses[0].invitation_id)
    assert opted_out is not None
    opted_out.model_opt_out_at = third.opens_at
    db_session.flush()

    _cli(app, "wave", "release", str(third.id))
    stored = _predictions(db_session, third.id)
    assert len(stored) == len(third_responses) - 1  # everyone who answered, but the opt-out
    assert third_responses[0].id not in {p.response_id for p in stored}
    assert all(0.0 <= (p.probability or -1) <= 1.0 and p.outcome is None for p in stored)

    fourth, _ = store_wave(db_session, census, teachers, 4, released=False)
    _cli(app, "wave", "release", str(fourth.id))
    settled = _predictions(db_session, third.id)
    assert {p.outcome_wave_id for p in settled} == {fourth.id}
    assert any(p.outcome is not None for p in settled)
    evaluation = db_session.scalars(select(RiskEvaluation)).one()
    assert evaluation.model_id == model.id and evaluation.outcome_wave_id == fourth.id
    assert evaluation.rows == sum(p.outcome is not None for p in settled)


def test_no_model_registered_means_no_prediction(app: Flask, db_session: Session) -> None:
    census = small_census(40)
    teachers = census_teachers(db_session, census, place="无模型")
    wave, _ = store_wave(db_session, census, teachers, 0, released=False)
    _cli(app, "wave", "release", str(wave.id))
    assert db_session.scalar(select(func.count()).select_from(RiskPrediction)) == 0


def test_a_model_file_whose_digest_differs_is_refused_and_audited(
    app: Flask, db_session: Session
) -> None:
    census = small_census()
    teachers = census_teachers(db_session, census, place="摘要")
    for number in (0, 1, 2):
        store_wave(db_session, census, teachers, number, released=True)
    _cli(app, "analysis", "train")
    model = db_session.scalars(select(RiskModel)).one()
    path = settings_of(app).instance_path / MODELS_DIR / model.file_name
    path.write_bytes(path.read_bytes() + b"\0")  # one byte more: another file

    result = app.test_cli_runner().invoke(args=["analysis", "check"])
    assert result.exit_code == 1 and "digest" in result.output
    third, _ = store_wave(db_session, census, teachers, 3, released=False)
    _cli(app, "wave", "release", str(third.id))  # the release goes on without predictions
    assert _predictions(db_session, third.id) == []
    refusals = db_session.scalars(
        select(AuditEntry.outcome).where(AuditEntry.action == "model.load_refused")
    ).all()
    assert refusals == ["denied", "denied"]  # the check, and the release
