"""``scoring.reliability.one_factor`` is sklearn's one-factor ``FactorAnalysis`` fit, digit for
digit, on the k x k problems omega gives it: random scales, a near-singular one, one that does not
converge within sklearn's iterations, and the bootstrap draws of a whole reliability table."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.decomposition import FactorAnalysis
from sklearn.exceptions import ConvergenceWarning

from scoring import reliability
from scoring.reliability import _rows_with_covariance, battery_reliability, one_factor


def _sklearn(rows: np.ndarray, **options: int) -> tuple[np.ndarray, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fa = FactorAnalysis(n_components=1, svd_method="lapack", **options).fit(rows)
    return fa.components_[0], fa.noise_variance_


def _correlations(seed: int, k: int, n: int = 300) -> np.ndarray:
    rng = np.random.default_rng(seed)
    strength = rng.uniform(0, 2)
    items = rng.integers(0, 4, size=(n, k)).astype(float) + strength * rng.normal(size=(n, 1))
    return np.asarray(np.corrcoef(items, rowvar=False))


@pytest.mark.parametrize("seed", range(40))
def test_one_factor_equals_sklearn_on_random_scales(seed: int) -> None:
    rows = _rows_with_covariance(_correlations(seed, k=2 + seed % 18))
    loadings, uniquenesses = one_factor(rows)
    expected_loadings, expected_uniquenesses = _sklearn(rows)
    assert np.array_equal(loadings, expected_loadings)
    assert np.array_equal(uniquenesses, expected_uniquenesses)


def test_one_factor_equals_sklearn_on_a_near_singular_scale() -> None:
    corr = _correlations(7, k=9)
    corr[0, 1:] = corr[1:, 0] = corr[1, 1:] = corr[1:, 1] = 0.999999  # two items all but equal
    np.fill_diagonal(corr, 1.0)
    rows = _rows_with_covariance(corr)
    assert all(np.array_equal(a, b) for a, b in zip(one_factor(rows), _sklearn(rows), strict=True))


def test_one_factor_equals_sklearn_when_it_stops_before_converging(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = _rows_with_covariance(_correlations(3, k=10))
    monkeypatch.setattr(reliability, "FA_MAX_ITER", 2)
    loadings, uniquenesses = one_factor(rows)
    expected_loadings, expected_uniquenesses = _sklearn(rows, max_iter=2)
    assert np.array_equal(loadings, expected_loadings)
    assert np.array_equal(uniquenesses, expected_uniquenesses)
    # Two iterations are not enough here: the converged fit differs.
    assert not np.array_equal(uniquenesses, _sklearn(rows)[1])


def test_a_reliability_table_is_what_sklearns_fit_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(11)
    latent = rng.normal(size=(400, 1))
    answers = np.clip(np.rint(1.5 + latent + rng.normal(size=(400, 9))), 0, 3)  # PHQ-9, 0-3
    ours = battery_reliability(["phq9"], answers, draws=40, seed=5)
    monkeypatch.setattr(reliability, "one_factor", _sklearn)
    assert battery_reliability(["phq9"], answers, draws=40, seed=5) == ours
    assert ours[0].omega is not None and ours[0].omega_ci is not None
