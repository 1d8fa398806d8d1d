"""The second reader: P(a teacher's battery level at the next wave is high or crisis).

Trained on the city's own earlier waves; it never changes a level or a route, and a person
decides what to do with it.

* :class:`Panel` (one row per teacher-wave) and :func:`years_band`: the input.
* :func:`fit_next_wave_model` ``(panel, *, policy=None, seed=0) -> NextWaveModel``: logistic
  regression, a gradient-boosted challenger kept only if better on the held-out latest wave,
  calibrated, validated by time with teachers grouped (``fit``).
* :meth:`NextWaveModel.predict` ``(panel) -> (ids, p)`` at each teacher's latest wave (p NaN,
  no prediction, when that wave answers no item);
  ``model.record`` is the :class:`TrainingRecord` (waves, rows, data digest, chosen, metrics).
* :func:`evaluate_predictions`: AUROC, Brier, calibration slope and intercept, net benefit
  against "rules only" and "contact all", and per-group figures with small cells suppressed.
* :func:`save_model` / :func:`load_model`: a skops file checked by its sha256
  (:class:`ModelFileError` otherwise).
"""

from __future__ import annotations

from scoring.risk_model.evaluate import evaluate_predictions, net_benefit
from scoring.risk_model.features import Panel, years_band
from scoring.risk_model.fit import NextWaveModel, TrainingRecord, fit_next_wave_model
from scoring.risk_model.model_file import ModelFileError, load_model, save_model

__all__ = [
    "ModelFileError",
    "NextWaveModel",
    "Panel",
    "TrainingRecord",
    "evaluate_predictions",
    "fit_next_wave_model",
    "load_model",
    "net_benefit",
    "save_model",
    "years_band",
]
