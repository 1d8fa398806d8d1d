"""Metric formulas of the next-wave model, pinned to their sources and to hand computations."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.risk_model import evaluate_predictions, net_benefit
from scoring.risk_model.evaluate import calibration_slope_intercept


def test_net_benefit_is_vickers_and_elkin_2006() -> None:
    # Vickers & Elkin 2006, Med Decis Making 26:565: NB = TP/n - FP/n * pt/(1 - pt).
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0], dtype=bool)
    positive = np.array([1, 1, 0, 1, 1, 0, 0, 0, 0, 0], dtype=bool)  # TP 2, FP 2, n 10
    assert net_benefit(y, positive, 0.20) == pytest.approx(2 / 10 - 2 / 10 * 0.25)
    # "contact all" at pt: prevalence - (1 - prevalence) * pt / (1 - pt)
    assert net_benefit(y, np.ones(10, bool), 0.10) == pytest.approx(0.3 - 0.7 / 9)
    assert net_benefit(y, np.zeros(10, bool), 0.10) == 0.0


def test_evaluate_reports_model_rules_and_contact_all_at_each_threshold() -> None:
    y = np.array([1, 0, 1, 0, 0, 1, 0, 0], dtype=bool)
    p = np.array([0.9, 0.12, 0.3, 0.04, 0.06, 0.16, 0.01, 0.2])
    rules = np.array([1, 0, 0, 0, 0, 0, 0, 1], dtype=bool)
    out = evaluate_predictions(y, p, rules=rules)
    assert out["brier"] == pytest.approx(np.mean((p - y) ** 2))
    # AUROC by hand: 15 positive-negative pairs; the only misordered one is 0.16 < 0.2.
    assert out["auroc"] == pytest.approx(14 / 15)
    nb = out["net_benefit"]
    assert set(nb) == {"0.05", "0.10", "0.15", "0.20"}
    # pt 0.15: model flags 0.9, 0.3, 0.16, 0.2 -> TP 3, FP 1
    assert nb["0.15"]["model"] == pytest.approx(3 / 8 - 1 / 8 * 0.15 / 0.85)
    assert nb["0.15"]["rules_only"] == pytest.approx(1 / 8 - 1 / 8 * 0.15 / 0.85)
    assert nb["0.05"]["contact_all"] == pytest.approx(3 / 8 - 5 / 8 * 0.05 / 0.95)


def test_true_probabilities_have_slope_one_and_intercept_zero() -> None:
    rng = np.random.default_rng(0)
    p = rng.beta(1, 8, 200_000)
    y = rng.random(len(p)) < p
    slope, intercept = calibration_slope_intercept(y, p)
    assert slope == pytest.approx(1.0, abs=0.03) and intercept == pytest.approx(0.0, abs=0.02)
    # Predictions twice as extreme on the logit scale have slope 1/2 (Van Calster 2016).
    lp = np.log(p / (1 - p))
    extreme = 1 / (1 + np.exp(-2 * lp))
    assert calibration_slope_intercept(y, extreme)[0] == pytest.approx(0.5, abs=0.02)
    # Predicting too low on average gives a positive calibration-in-the-large intercept.
    low = 1 / (1 + np.exp(-(lp - 0.5)))
    assert calibration_slope_intercept(y, low)[1] == pytest.approx(0.5, abs=0.03)


def test_groups_below_k_and_their_small_cells_are_suppressed() -> None:
    rng = np.random.default_rng(1)
    n = 400
    group = np.array(["a"] * 300 + ["b"] * 95 + ["c"] * 5)
    p = rng.random(n) * 0.4
    y = rng.random(n) < p
    y[300:395] = False
    y[300:304] = True  # group b: 4 positives, 91 negatives
    out = evaluate_predictions(y, p, groups={"g": group}, k=10, threshold=0.2)["groups"]["g"]
    assert out["c"] == {"n": None, "observed": None, "predicted": None, "tpr": None, "fpr": None}
    assert out["b"]["n"] == 95 and out["b"]["tpr"] is None and out["b"]["observed"] is None
    neg_b = ~y[300:395]
    assert out["b"]["fpr"] == pytest.approx(np.mean(p[300:395][neg_b] >= 0.2))
    a = slice(0, 300)
    assert out["a"]["observed"] == pytest.approx(y[a].mean())
    assert out["a"]["predicted"] == pytest.approx(p[a].mean())
    assert out["a"]["tpr"] == pytest.approx(np.mean(p[a][y[a]] >= 0.2))


def test_bad_probabilities_are_refused() -> None:
    with pytest.raises(ValueError, match="probabilities"):
        evaluate_predictions(np.array([True, False]), np.array([0.5, 1.5]))
    single = evaluate_predictions(np.array([False, False]), np.array([0.1, 0.2]))
    assert single["auroc"] is None and single["calibration_slope"] is None
