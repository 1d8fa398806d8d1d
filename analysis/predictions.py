"""Predictions at each release, and their evaluation when the next wave is released.

At a release, the stored predictions of earlier waves that still wait for an outcome get it from
this wave's rule-based levels (high or crisis, or not), and each model's predictions at each
wave are evaluated and the figures kept with the model, net benefit beside "rules only" (the
rule-based level at the predicted wave already high or crisis) and "contact all". Then the
current model (none registered: nothing) gives each teacher who answered this wave, except those
who opted out, the probability that their level at the next wave is high or crisis. Nothing
here changes a level, a case or an outreach, and in shadow mode nobody sees a prediction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from analysis.model_files import current_model, open_model, plain_json
from analysis.model_models import RiskEvaluation, RiskPrediction
from analysis.model_panel import PanelRows, released_panel
from census.models import Response, Wave
from scoring.levels import RiskLevel
from scoring.risk_model import evaluate_predictions

HIGH_OR_CRISIS = (RiskLevel.HIGH, RiskLevel.CRISIS)


def at_release(session: Session, wave: Wave, now: dt.datetime, instance_path: Path, k: int) -> int:
    """Evaluate the predictions waiting for this wave, then store this wave's; returns how many
    predictions were stored (0 when no model is registered). Raises ``ModelRefused`` when the
    current model's file fails its digest check (audited)."""
    rows = released_panel(session, up_to=wave)
    settle_outcomes(session, wave, rows, now, k)
    return store_predictions(session, wave, rows, now, instance_path)


def store_predictions(
    session: Session, wave: Wave, rows: PanelRows, now: dt.datetime, instance_path: Path
) -> int:
    """Each of this wave's teachers' probability of high or crisis at the next wave."""
    registered = current_model(session)
    here = rows.rows_of_wave(wave.id)
    if registered is None or len(here) == 0:
        return 0
    model = open_model(session, registered, instance_path)
    ids, p = model.predict(rows.panel)
    # NaN: the teacher's answers at this wave are all blank, and the model gives no prediction.
    probability = {
        str(pid): float(value) for pid, value in zip(ids, p, strict=True) if not np.isnan(value)
    }
    stored = 0
    for i in here:
        pseudonym = str(rows.panel.ids[i])
        if pseudonym not in probability:
            continue
        session.add(
            RiskPrediction(
                model_id=registered.id,
                wave_id=wave.id,
                response_id=rows.response_ids[i],
                pseudonym=pseudonym,
                probability=probability[pseudonym],
                created_at=now,
            )
        )
        stored += 1
    session.flush()
    return stored


def settle_outcomes(
    session: Session, wave: Wave, rows: PanelRows, now: dt.datetime, k: int
) -> list[RiskEvaluation]:
    """Fill in the outcome of every earlier prediction still waiting for one from this wave's
    levels, and evaluate them per model and predicted wave, with groups under ``k``."""
    waiting = session.scalars(
        select(RiskPrediction).where(
            RiskPrediction.outcome_wave_id.is_(None), RiskPrediction.wave_id != wave.id
        )
    ).all()
    if not waiting:
        return []
    stmt = select(Response.pseudonym, Response.risk_level).where(
        Response.wave_id == wave.id,
        Response.submitted_at.is_not(None),
        Response.withdrawn_at.is_(None),
        Response.risk_level.is_not(None),
    )
    levels = {pseudonym: level for pseudonym, level in session.execute(stmt)}
    batches: dict[tuple[int, int], list[RiskPrediction]] = defaultdict(list)
    for prediction in waiting:
        level = levels.get(prediction.pseudonym)
        prediction.outcome_wave_id = wave.id
        prediction.outcome = None if level is None else level in HIGH_OR_CRISIS
        batches[(prediction.model_id, prediction.wave_id)].append(prediction)
    session.flush()
    return [
        evaluation
        for (model_id, wave_id), batch in sorted(batches.items())
        if (evaluation := _evaluate(session, model_id, wave_id, wave, batch, rows, now, k))
    ]


def _evaluate(
    session: Session,
    model_id: int,
    wave_id: int,
    outcome_wave: Wave,
    batch: list[RiskPrediction],
    rows: PanelRows,
    now: dt.datetime,
    k: int,
) -> RiskEvaluation | None:
    known = [p for p in batch if p.outcome is not None]
    if not known:
        return None
    index = {rid: i for i, rid in enumerate(rows.response_ids)}
    y = np.array([p.outcome for p in known], dtype=bool)
    p = np.array([p.probability for p in known], dtype=np.float64)
    groups = {name: _group_of(values, index, known) for name, values in rows.groups.items()}
    rules = _rules_only(rows, index, known)
    try:
        metrics = evaluate_predictions(y, p, groups=groups, k=k, rules=rules)
    except ValueError as error:  # e.g. every outcome alike: nothing to rank
        metrics = {"error": str(error)}
    evaluation = RiskEvaluation(
        model_id=model_id,
        wave_id=wave_id,
        outcome_wave_id=outcome_wave.id,
        rows=len(known),
        metrics=plain_json(metrics),
        created_at=now,
    )
    session.add(evaluation)
    session.flush()
    return evaluation


def _group_of(
    values: np.ndarray, index: dict[uuid.UUID, int], known: list[RiskPrediction]
) -> np.ndarray:
    # The group of each prediction's own (predicted-wave) row; "unknown" when it left the panel.
    return np.array(
        [values[index[p.response_id]] if p.response_id in index else "unknown" for p in known],
        dtype=object,
    )


def _rules_only(
    rows: PanelRows, index: dict[uuid.UUID, int], known: list[RiskPrediction]
) -> np.ndarray:
    # "Rules only": the rule-based level of each prediction's own (predicted-wave) response was
    # already high or crisis. A response that left the panel took its predictions with it
    # (withdrawal, opt-out, retention); were one left, it would count as not flagged.
    return np.array(
        [
            p.response_id in index and rows.levels[index[p.response_id]] in HIGH_OR_CRISIS
            for p in known
        ],
        dtype=bool,
    )


def forget_predictions(session: Session, response_id: uuid.UUID) -> int:
    """Delete the predictions made from one response (the teacher opted out or withdrew)."""
    result = session.execute(
        delete(RiskPrediction)
        .where(RiskPrediction.response_id == response_id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def forget_outcomes(session: Session, pseudonym: str, wave_id: int) -> int:
    """Forget the outcomes one withdrawn response gave earlier predictions: the teacher's level
    at ``wave_id`` goes with their answers. The prediction stays settled (not re-filled)."""
    result = session.execute(
        update(RiskPrediction)
        .where(RiskPrediction.pseudonym == pseudonym, RiskPrediction.outcome_wave_id == wave_id)
        .values(outcome_sealed=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def forget_wave_predictions(session: Session, wave_ids: Sequence[int]) -> int:
    """Delete the predictions made at the waves ``wave_ids`` (their answers reached the end of
    retention: a prediction is drawn from them and goes with them)."""
    result = session.execute(
        delete(RiskPrediction)
        .where(RiskPrediction.wave_id.in_(list(wave_ids)))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
