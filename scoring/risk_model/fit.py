"""Fit the next-wave model: logistic regression first, a boosted challenger only if it wins.

Validation is by time: the candidates learn from the transitions into earlier waves and are
scored on the transition into the latest wave (with a single transition, a quarter of the
teachers is held out instead).  Each candidate is fitted on three quarters of its training
teachers and calibrated (Platt's sigmoid, ``CalibratedClassifierCV`` on a ``FrozenEstimator``)
on the other quarter, the split grouped by teacher and stratified (:func:`grouped_split`) so
that no teacher is on both sides.  The challenger is kept only if both its AUROC is higher and
its Brier score lower on the held-out wave.  The chosen kind is then refitted the same way on
every transition; the held-out figures stay in the record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import sklearn
from sklearn.base import ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from scoring import default_policy
from scoring.policy import RiskPolicy
from scoring.risk_model.evaluate import evaluate_predictions
from scoring.risk_model.features import (
    HIGH,
    Panel,
    battery_levels,
    feature_names,
    panel_digest,
    row_features,
    sort_rows,
)

MIN_EVENTS = 10  # fewer high-or-crisis outcomes than this on either side: no model


@dataclass(frozen=True)
class TrainingRecord:
    """What a model was trained on and how well it did on the held-out wave."""

    waves: list[int]
    rows: int  # transitions the saved model learned from
    teachers: int
    data_digest: str  # sha256 of the panel (features.panel_digest)
    chosen: str  # "logistic" | "boosted"
    metrics: dict[str, Any]  # validation, held-out metrics of each candidate
    features: list[str] = field(default_factory=list)
    policy: str = ""
    seed: int = 0
    sklearn_version: str = sklearn.__version__

    def to_json(self) -> str:
        """The record as one JSON object."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TrainingRecord:
        """Read a record written by :meth:`to_json`."""
        return cls(**json.loads(text))


class NextWaveModel:
    """A calibrated classifier and its record; ``predict`` scores each teacher's latest wave."""

    def __init__(self, estimator: Any, record: TrainingRecord) -> None:
        self.estimator_ = estimator
        self.record = record

    def predict(self, panel: Panel) -> tuple[np.ndarray, np.ndarray]:
        """(ids, p): P(next-wave level high or crisis) at each teacher's latest row.

        p is NaN (no prediction) for a teacher whose latest row answers no item: the model would
        otherwise score imputed means and earlier waves as if they were this wave's answers.
        """
        rows = sort_rows(panel)
        n = len(rows.order)
        last = np.flatnonzero(np.r_[rows.teacher[1:] != rows.teacher[:-1], True])[:n]
        x = row_features(panel, rows)[last]
        ids = np.asarray(panel.ids)[rows.order[last]]
        p = np.full(len(last), np.nan)
        answered = ~np.isnan(panel.answers[rows.order[last]]).all(axis=1)
        if answered.any():
            with threadpool_limits(limits=1, user_api="openmp"):
                p[answered] = self.estimator_.predict_proba(x[answered])[:, 1]
        return ids, p


def make_candidate(kind: str, seed: int) -> ClassifierMixin:
    """An unfitted candidate: standardised L2 logistic regression, or gradient boosting."""
    if kind == "logistic":
        return Pipeline(
            [
                ("impute", SimpleImputer(strategy="mean", keep_empty_features=True)),
                ("scale", StandardScaler()),
                ("model", LogisticRegression(C=1.0, max_iter=1000)),
            ]
        )
    if kind == "boosted":
        return HistGradientBoostingClassifier(
            learning_rate=0.1, max_iter=100, max_leaf_nodes=15, min_samples_leaf=50,
            l2_regularization=1.0, early_stopping=False, random_state=seed,
        )  # fmt: skip
    raise ValueError(f"unknown candidate {kind!r}")


def challenger_wins(logistic: dict[str, Any], boosted: dict[str, Any]) -> bool:
    """The boosted model replaces logistic regression only if better on AUROC and on Brier."""
    la, ba = logistic.get("auroc"), boosted.get("auroc")
    lb, bb = logistic.get("brier"), boosted.get("brier")
    if la is None or ba is None or lb is None or bb is None:
        return False
    return bool(ba > la and bb < lb)


def grouped_split(y: np.ndarray, groups: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of 3/4 and 1/4 of the teachers, stratified by whether a teacher has an event.

    The split StratifiedGroupKFold makes, computed on one row per teacher with StratifiedKFold:
    StratifiedGroupKFold itself loops in Python over the groups (a minute for 100,000 teachers),
    and with one to a few rows per teacher its balancing gains nothing.
    """
    teachers, row_teacher = np.unique(groups, return_inverse=True)
    any_event = np.zeros(len(teachers), dtype=bool)
    any_event[row_teacher[y]] = True
    folds = StratifiedKFold(n_splits=4, shuffle=True, random_state=seed)
    _, held = next(folds.split(np.zeros(len(teachers)), any_event))
    in_held = np.zeros(len(teachers), dtype=bool)
    in_held[held] = True
    mask = in_held[row_teacher]
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def fit_calibrated(kind: str, x: np.ndarray, y: np.ndarray, groups: np.ndarray, seed: int) -> Any:
    """Fit on 3/4 of the teachers, calibrate (sigmoid) on the other 1/4."""
    fit_rows, cal_rows = grouped_split(y, groups, seed)
    # One OpenMP thread: on a shared server, boosting's spinning threads slow everything down.
    with threadpool_limits(limits=1, user_api="openmp"):
        base = make_candidate(kind, seed).fit(x[fit_rows], y[fit_rows])
    calibrated = CalibratedClassifierCV(FrozenEstimator(base), method="sigmoid")
    return calibrated.fit(x[cal_rows], y[cal_rows])


def fit_next_wave_model(
    panel: Panel,
    *,
    policy: RiskPolicy | None = None,
    seed: int = 0,
    groups: Mapping[str, np.ndarray] | None = None,
) -> NextWaveModel:
    """Train on every teacher's consecutive waves; target: next-wave level high or crisis.

    ``groups`` (name -> one value per panel row, e.g. gender, age band, district) adds held-out
    figures per group to the record, beside school level; groups under 10 are suppressed.

    Raises ValueError when there are too few transitions or outcomes to learn from.
    """
    pol = policy if policy is not None else default_policy()
    rows = sort_rows(panel)
    x_all = row_features(panel, rows)
    level = battery_levels(panel.answers[rows.order], pol)
    src = np.flatnonzero(rows.next_wave >= 0)
    dst = rows.next_wave[src]
    known = level[dst] > 0  # an incomplete next wave has no level: no outcome to learn
    src, dst = src[known], dst[known]
    x, y, teacher = x_all[src], level[dst] >= HIGH, rows.teacher[src]
    rules = level[src] >= HIGH
    target_wave = rows.wave_rank[dst]
    _enough(y, "transitions")
    if len(np.unique(target_wave)) >= 2:
        validation = "time"
        test = target_wave == target_wave.max()
    else:
        validation = "teachers"
        test = np.zeros(len(y), dtype=bool)
        test[grouped_split(y, teacher, seed)[1]] = True
    _enough(y[~test], "training transitions")
    _enough(y[test], "held-out transitions")
    at_test = rows.order[src[test]]  # panel row of each held-out transition's start
    named = {"school_level": panel.school_level, **(groups or {})}
    held_out = {name: np.asarray(values)[at_test] for name, values in named.items()}
    metrics: dict[str, Any] = {
        "validation": validation,
        "train_rows": int((~test).sum()),
        "test_rows": int(test.sum()),
    }
    for kind in ("logistic", "boosted"):
        model = fit_calibrated(kind, x[~test], y[~test], teacher[~test], seed)
        with threadpool_limits(limits=1, user_api="openmp"):
            p = model.predict_proba(x[test])[:, 1]
        metrics[kind] = evaluate_predictions(y[test], p, rules=rules[test], groups=held_out)
    chosen = "boosted" if challenger_wins(metrics["logistic"], metrics["boosted"]) else "logistic"
    final = fit_calibrated(chosen, x, y, teacher, seed)
    record = TrainingRecord(
        waves=[int(w) for w in rows.waves],
        rows=len(y),
        teachers=len(np.unique(teacher)),
        data_digest=panel_digest(panel),
        chosen=chosen,
        metrics=metrics,
        features=feature_names(panel.answers.shape[1]),
        policy=f"{pol.id} v{pol.version}",
        seed=seed,
    )
    return NextWaveModel(final, record)


def _enough(y: np.ndarray, what: str) -> None:
    events = int(y.sum())
    if events < MIN_EVENTS or len(y) - events < MIN_EVENTS:
        raise ValueError(
            f"too few {what} to train on: {len(y)} with {events} reaching high or crisis "
            f"(need at least {MIN_EVENTS} with and {MIN_EVENTS} without)"
        )
