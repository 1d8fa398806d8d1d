"""Alpha and omega of :mod:`scoring.reliability` against hand computations and sklearn directly."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import FactorAnalysis

from instruments import instruments_by_id
from scoring.reliability import (
    MIN_ROWS,
    ScaleReliability,
    battery_reliability,
    cronbach_alpha,
    mcdonald_omega,
)


def pss10_rows(n: int, seed: int = 0) -> np.ndarray:
    """PSS-10 answers (0-4) from one latent; items 4, 5, 7, 8 worded positively, as published."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 1))
    keyed = np.clip(np.rint(2 + 1.1 * latent + 0.9 * rng.normal(size=(n, 10))), 0, 4)
    answers = keyed.copy()
    positive = [3, 4, 6, 7]  # items 4, 5, 7, 8 (Cohen et al. 1983): reverse-keyed
    answers[:, positive] = 4 - keyed[:, positive]
    return answers


def only(battery: list[str], answers: np.ndarray, draws: int = 50) -> list[ScaleReliability]:
    return battery_reliability(battery, answers, draws=draws, seed=1)


def test_alpha_matches_the_formula_on_raw_item_variances() -> None:
    # Cronbach 1951: alpha = k/(k-1) * (1 - sum of item variances / variance of the total).
    answers = pss10_rows(400)
    keyed = answers.copy()
    keyed[:, [3, 4, 6, 7]] = 4 - keyed[:, [3, 4, 6, 7]]
    k = 10
    by_hand = k / (k - 1) * (1 - keyed.var(axis=0, ddof=1).sum() / keyed.sum(axis=1).var(ddof=1))
    (result,) = only(["pss10"], answers)
    assert result.alpha == pytest.approx(by_hand, abs=1e-12)
    assert result.n == 400


def test_reverse_keyed_items_are_turned_before_alpha() -> None:
    answers = pss10_rows(400)
    keyed = answers.copy()
    keyed[:, [3, 4, 6, 7]] = 4 - keyed[:, [3, 4, 6, 7]]
    (result,) = only(["pss10"], answers)
    cov = np.cov(keyed, rowvar=False)
    assert result.alpha is not None
    assert result.alpha == pytest.approx(cronbach_alpha(cov), abs=1e-12)
    assert cronbach_alpha(np.cov(answers, rowvar=False)) < result.alpha - 0.3  # unturned: wrong


def test_omega_matches_factor_analysis_fitted_on_the_standardized_data() -> None:
    # McDonald 1999: omega = (sum of loadings)^2 / ((sum of loadings)^2 + sum of uniquenesses).
    answers = pss10_rows(1000, seed=2)
    keyed = answers.copy()
    keyed[:, [3, 4, 6, 7]] = 4 - keyed[:, [3, 4, 6, 7]]
    z = (keyed - keyed.mean(axis=0)) / keyed.std(axis=0)
    fa = FactorAnalysis(n_components=1, random_state=0).fit(z)
    common = fa.components_[0].sum() ** 2
    direct = common / (common + fa.noise_variance_.sum())
    (result,) = only(["pss10"], answers)
    assert result.omega == pytest.approx(direct, abs=1e-3)
    assert mcdonald_omega(np.cov(keyed, rowvar=False)) == pytest.approx(direct, abs=1e-3)


def test_intervals_contain_the_estimate_and_narrow_with_more_teachers() -> None:
    small = only(["pss10"], pss10_rows(100, seed=3), draws=200)[0]
    large = only(["pss10"], pss10_rows(3000, seed=3), draws=200)[0]
    for r in (small, large):
        assert r.alpha_ci is not None and r.omega_ci is not None
        assert r.alpha is not None and r.omega is not None
        assert r.alpha_ci[0] <= r.alpha <= r.alpha_ci[1]
        assert r.omega_ci[0] <= r.omega <= r.omega_ci[1]
    assert small.alpha_ci is not None and large.alpha_ci is not None
    assert large.alpha_ci[1] - large.alpha_ci[0] < (small.alpha_ci[1] - small.alpha_ci[0]) / 3


def test_fewer_complete_rows_than_the_minimum_give_none() -> None:
    answers = pss10_rows(MIN_ROWS + 5)
    answers[:6, 0] = np.nan  # listwise deletion leaves MIN_ROWS - 1 complete rows
    (result,) = only(["pss10"], answers)
    assert result.n == MIN_ROWS - 1
    assert (result.alpha, result.omega, result.alpha_ci, result.omega_ci) == (None,) * 4


def test_every_non_derived_score_of_the_battery_is_reported() -> None:
    insts = instruments_by_id()
    width = insts["who5"].n_items + insts["cbi"].n_items
    rng = np.random.default_rng(4)
    answers = np.column_stack([rng.integers(0, 6, (60, 5)), rng.choice([0, 25, 50, 75, 100],
                              (60, 19))]).astype(float)  # fmt: skip
    assert answers.shape[1] == width
    got = [(r.instrument, r.score) for r in only(["who5", "cbi"], answers, draws=5)]
    assert got == [("who5", "raw"), ("cbi", "personal"), ("cbi", "work"), ("cbi", "students")]
