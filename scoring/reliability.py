"""Internal consistency of each scale in one wave: Cronbach's alpha and McDonald's omega.

Items are keyed one way first (a reverse-keyed item's value v becomes low + high - v), then
alpha = k/(k-1) * (1 - sum(item variances) / variance of the total) and one-factor omega =
(sum of loadings)^2 / ((sum of loadings)^2 + sum of uniquenesses), with the loadings of
``sklearn.decomposition.FactorAnalysis`` on the standardized items (``factor_analyzer`` fails
with scikit-learn >= 1.8).  Pearson correlations on ordinal items make omega conservative.

Both depend on the data only through the items' covariance, so each is computed from it: the
factor analysis is fitted to a few rows that have exactly that covariance, and each of the
bootstrap draws (teachers resampled with replacement, percentile 95% intervals) is a weighted
covariance.  A wave of 115,000 teachers takes seconds, not minutes.

Only complete rows of a score's items count (listwise deletion, as published values are computed),
and a score derived from another (WHO-5's percentage) is the same scale and skipped.  Nothing here
changes a score or a level: it says whether a scale holds in this population.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import FactorAnalysis
from sklearn.exceptions import ConvergenceWarning

from instruments import Instrument, instruments_by_id

BOOTSTRAP_DRAWS = 200
# Fewer complete rows than this give no figures: an alpha of a handful of teachers means nothing.
MIN_ROWS = 30


@dataclass(frozen=True)
class ScaleReliability:
    """Alpha and omega of one score of one instrument, with 95% bootstrap intervals."""

    instrument: str
    score: str
    n: int
    alpha: float | None
    omega: float | None
    alpha_ci: tuple[float, float] | None
    omega_ci: tuple[float, float] | None


def cronbach_alpha(cov: np.ndarray) -> float:
    """Alpha from the covariance matrix of keyed items; NaN when the total does not vary."""
    k = cov.shape[0]
    total = cov.sum()
    if k < 2 or not total > 0:
        return float("nan")
    return float(k / (k - 1) * (1 - np.trace(cov) / total))


def mcdonald_omega(cov: np.ndarray) -> float:
    """One-factor omega from the covariance matrix of keyed items; NaN when an item is constant."""
    sd = np.sqrt(np.diag(cov))
    if cov.shape[0] < 2 or not np.all(sd > 0):
        return float("nan")
    corr = cov / np.outer(sd, sd)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fa = FactorAnalysis(n_components=1, svd_method="lapack").fit(_rows_with_covariance(corr))
    loadings = fa.components_[0]
    common = loadings.sum() ** 2  # the factor's sign is arbitrary; the square is not
    return float(common / (common + fa.noise_variance_.sum()))


def battery_reliability(
    battery: Sequence[str],
    answers: np.ndarray,
    *,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = 0,
) -> list[ScaleReliability]:
    """Alpha and omega of every score of every instrument in ``battery``.

    ``answers`` is ``(n_teachers, n_items)`` as :func:`scoring.score_battery` takes it (published
    values, the battery's instruments side by side, NaN for a missing answer)."""
    instruments = instruments_by_id()
    rng = np.random.default_rng(seed)
    results = []
    start = 0
    for inst_id in battery:
        inst = instruments[inst_id]
        block = np.asarray(answers[:, start : start + inst.n_items], dtype=float)
        start += inst.n_items
        for score in inst.scores:
            if score.derived_from is None:
                results.append(_score_reliability(inst, score.id, block, draws, rng))
    return results


def keyed_items(inst: Instrument, positions: Sequence[int], block: np.ndarray) -> np.ndarray:
    """The listed items' complete rows, reverse-keyed items turned (low + high - value)."""
    chosen = block[:, list(positions)]
    items: np.ndarray = chosen[~np.isnan(chosen).any(axis=1)].copy()
    for column, position in enumerate(positions):
        item = inst.items[position]
        if item.reverse:
            items[:, column] = float(min(item.values) + max(item.values)) - items[:, column]
    return items


def _score_reliability(
    inst: Instrument, score_id: str, block: np.ndarray, draws: int, rng: np.random.Generator
) -> ScaleReliability:
    items = keyed_items(inst, inst.score(score_id).items, block)
    n = len(items)
    if n < MIN_ROWS:
        return ScaleReliability(inst.id, score_id, n, None, None, None, None)
    centred = items - items.mean(axis=0)
    cov = centred.T @ centred / (n - 1)
    alphas, omegas = [], []
    for draw in _bootstrap_covariances(items, draws, rng):
        alphas.append(cronbach_alpha(draw))
        omegas.append(mcdonald_omega(draw))
    return ScaleReliability(
        inst.id,
        score_id,
        n,
        _finite(cronbach_alpha(cov)),
        _finite(mcdonald_omega(cov)),
        _interval(np.array(alphas)),
        _interval(np.array(omegas)),
    )


def _bootstrap_covariances(
    items: np.ndarray, draws: int, rng: np.random.Generator, chunk: int = 25
) -> list[np.ndarray]:
    """The covariance matrix of each bootstrap draw (teachers resampled with replacement).

    A draw is a vector of counts (how often each teacher was drawn), so a chunk of draws is two
    matrix products over the items and their pairwise products, not a resampled copy each."""
    n, k = items.shape
    products = (items[:, :, None] * items[:, None, :]).reshape(n, k * k)
    covariances = []
    for start in range(0, draws, chunk):
        size = min(chunk, draws - start)
        counts = np.stack(
            [np.bincount(rng.integers(0, n, size=n), minlength=n) for _ in range(size)]
        ).astype(float)
        means = counts @ items / n
        seconds = (counts @ products / n).reshape(size, k, k)
        covariances += list(seconds - means[:, :, None] * means[:, None, :])
    return covariances


def _rows_with_covariance(cov: np.ndarray) -> np.ndarray:
    """2k rows, centred, whose population covariance is exactly ``cov`` (k x k).

    A maximum-likelihood factor analysis depends on its data only through their covariance, so
    fitting these rows fits the whole sample at the cost of a k x k problem."""
    values, vectors = np.linalg.eigh(cov)
    k = cov.shape[0]
    half: np.ndarray = (vectors * np.sqrt(np.clip(values, 0, None) * k)).T
    return np.vstack([half, -half])


def _finite(value: float) -> float | None:
    return value if np.isfinite(value) else None


def _interval(values: np.ndarray) -> tuple[float, float] | None:
    values = values[np.isfinite(values)]
    if len(values) < 2:
        return None
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)
