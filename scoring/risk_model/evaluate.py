"""How good a set of probabilities is: discrimination, calibration, net benefit, and per group.

* AUROC (``sklearn.metrics.roc_auc_score``) and the Brier score (mean squared error of p).
* Calibration by logistic recalibration of logit(p) (Cox 1958; Van Calster et al. 2016,
  J Clin Epidemiol 74:167): the slope b of logit P(y) = a + b logit(p), ideal 1 (below 1: the
  predictions are too extreme); the intercept a of logit P(y) = a + logit(p) (slope fixed at 1,
  calibration-in-the-large), ideal 0 (above 0: the model predicts too low on average).
* Net benefit at threshold pt (Vickers & Elkin 2006, Med Decis Making 26:565):
  NB = TP/n - FP/n * pt / (1 - pt), for the model (p >= pt), for "rules only" (the current rule
  level high or crisis, whatever pt) and for "contact all".
* Per group (e.g. gender, age band, district, school level): n, observed and mean predicted
  risk, TPR and FPR at ``threshold``.  A group of fewer than ``k`` teachers shows nothing; a
  rate whose numerator or denominator counts fewer than ``k`` teachers is ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

THRESHOLDS = (0.05, 0.10, 0.15, 0.20)
EPS = 1e-6


def evaluate_predictions(
    y: np.ndarray,
    p: np.ndarray,
    *,
    groups: Mapping[str, np.ndarray] | None = None,
    k: int = 10,
    rules: np.ndarray | None = None,
    threshold: float = 0.10,
) -> dict[str, Any]:
    """Metrics of probabilities ``p`` (n,) against outcomes ``y`` (n,) bool.

    ``rules`` (n,) bool is "rules only": the current level already high or crisis.
    """
    y = np.asarray(y, dtype=bool)
    p = np.asarray(p, dtype=np.float64)
    if y.shape != p.shape or y.ndim != 1:
        raise ValueError("y and p must be 1-d arrays of one length")
    if not np.all((p >= 0) & (p <= 1)):
        raise ValueError("p must be probabilities in [0, 1]")
    both = 0 < y.sum() < len(y)
    slope, intercept = calibration_slope_intercept(y, p) if both else (None, None)
    out: dict[str, Any] = {
        "n": len(y),
        "events": int(y.sum()),
        "auroc": float(roc_auc_score(y, p)) if both else None,
        "brier": float(np.mean((p - y) ** 2)) if len(y) else None,
        "calibration_slope": slope,
        "calibration_intercept": intercept,
        "net_benefit": {
            f"{pt:.2f}": {
                "model": net_benefit(y, p >= pt, pt),
                "rules_only": None if rules is None else net_benefit(y, rules, pt),
                "contact_all": net_benefit(y, np.ones_like(y), pt),
            }
            for pt in THRESHOLDS
        },
        "threshold": threshold,
        "groups": {},
    }
    for name, values in (groups or {}).items():
        out["groups"][name] = group_metrics(y, p, np.asarray(values), k, threshold)
    return out


def net_benefit(y: np.ndarray, positive: np.ndarray, pt: float) -> float:
    """NB = TP/n - FP/n * pt/(1 - pt) (Vickers & Elkin 2006)."""
    n = len(y)
    if n == 0:
        return 0.0
    tp = np.sum(positive & y)
    fp = np.sum(positive & ~y)
    return float(tp / n - fp / n * pt / (1 - pt))


def calibration_slope_intercept(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """(slope, intercept) of logistic recalibration of logit(p), by Newton-Raphson."""
    lp = _logit(p)
    x = np.column_stack([np.ones_like(lp), lp])
    coef = _newton(x, y.astype(float), np.zeros(len(y)), np.array([0.0, 1.0]))
    ones = np.ones((len(y), 1))
    offset = _newton(ones, y.astype(float), lp, np.zeros(1))
    return float(coef[1]), float(offset[0])


def group_metrics(
    y: np.ndarray, p: np.ndarray, values: np.ndarray, k: int, threshold: float
) -> dict[str, dict[str, Any]]:
    """Per value of one grouping: n, observed, mean predicted, TPR and FPR; small cells None."""
    out: dict[str, dict[str, Any]] = {}
    flagged = p >= threshold
    keys = values.astype(str)
    for value in np.unique(keys).tolist():
        mask = keys == value
        n = int(mask.sum())
        if n < k:
            out[value] = {"n": None, "observed": None, "predicted": None, "tpr": None, "fpr": None}
            continue
        pos, neg = int(np.sum(y[mask])), int(np.sum(~y[mask]))
        small = pos < k or neg < k
        out[value] = {
            "n": n,
            "observed": None if small else pos / n,
            "predicted": float(p[mask].mean()),
            "tpr": None if pos < k else float(np.sum(flagged[mask] & y[mask]) / pos),
            "fpr": None if neg < k else float(np.sum(flagged[mask] & ~y[mask]) / neg),
        }
    return out


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, EPS, 1 - EPS)
    out: np.ndarray = np.log(q) - np.log1p(-q)
    return out


def _newton(x: np.ndarray, y: np.ndarray, offset: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Unpenalised logistic regression of y on x with an offset: Newton-Raphson, step halving."""
    beta = start.astype(float)
    ll = _loglik(x, y, offset, beta)
    for _ in range(100):
        mu = 1 / (1 + np.exp(-np.clip(offset + x @ beta, -30, 30)))
        w = mu * (1 - mu)
        hess = x.T @ (x * w[:, None]) + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hess, x.T @ (y - mu))
        for _ in range(30):
            new_ll = _loglik(x, y, offset, beta + step)
            if new_ll >= ll - 1e-12:
                break
            step /= 2
        beta, ll = beta + step, new_ll
        if np.max(np.abs(step)) < 1e-9:
            break
    return beta


def _loglik(x: np.ndarray, y: np.ndarray, offset: np.ndarray, beta: np.ndarray) -> float:
    eta = offset + x @ beta
    return float(np.sum(y * eta - np.logaddexp(0.0, eta)))
