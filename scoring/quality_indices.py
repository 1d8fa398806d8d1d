"""The six careless-responding indices, one value per teacher, vectorised over teachers.

Each function takes ``(n, p)`` arrays across the whole battery (NaN unanswered) and returns an
``(n,)`` float array, NaN where the index cannot be computed for that teacher.  Which tail of
each is extreme is decided in :mod:`scoring.quality`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from scipy.stats import norm
from sklearn.covariance import MinCovDet

# Rows the robust scatter is fitted on: sklearn's FastMCD costs seconds per thousand rows at 60
# items, and a seeded subsample of this size is enough to rank a wave's distances.
MCD_FIT_ROWS = 1500
# Share of rows the MCD keeps (h = 0.75 n): breakdown 25%, far above any careless share, with
# better efficiency than the maximal-breakdown h = (n + p + 1) / 2 (Rousseeuw & Van Driessen 1999).
MCD_SUPPORT = 0.75


def longstring(shown: np.ndarray) -> np.ndarray:
    """Longest run of one shown option position in item order (Curran 2016).

    ``shown`` is ``(n, p)`` option positions as the pages show them; an unanswered item ends a
    run.  NaN for a teacher who answered nothing."""
    n, p = shown.shape
    best = np.zeros(n)
    run = np.zeros(n)
    previous = np.full(n, np.nan)
    for column in range(p):
        x = shown[:, column]
        run = np.where(x == previous, run + 1, np.where(np.isnan(x), 0, 1))
        np.maximum(best, run, out=best)
        previous = x
    best[np.isnan(shown).all(axis=1)] = np.nan
    return best


def standardize(x: np.ndarray) -> np.ndarray:
    """Each column as z-scores over the rows that answered it; a constant column becomes 0."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column stays NaN
        mean = np.nanmean(x, axis=0)
        sd = np.nanstd(x, axis=0)
    z: np.ndarray = (x - mean) / np.where(sd > 0, sd, 1.0)
    return z


def irv(z: np.ndarray, min_items: int) -> np.ndarray:
    """Within-person SD of standardized keyed answers (Dunn et al. 2018).

    Low: the same keyed answer throughout; high: answers that do not hang together."""
    answered = (~np.isnan(z)).sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(z, axis=1, ddof=1)
    return np.where(answered >= min_items, sd, np.nan)


def even_odd(keyed: np.ndarray, scales: Sequence[Sequence[int]], min_scales: int = 3) -> np.ndarray:
    """Spearman–Brown-corrected within-person correlation of odd- and even-item half scores.

    For each scale the mean of its 1st, 3rd, 5th... and of its 2nd, 4th... keyed answers; then,
    per teacher, the correlation of the odd halves with the even halves across scales, corrected
    by 2r / (1 + r) and bounded below by -1 (Johnson 2005; Meade & Craig 2012, Psychol Methods
    17:437: at or below 0 is suspicious).  NaN with fewer than ``min_scales`` scales with both
    halves answered, or when either set of halves does not vary."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a half with nothing answered
        odd = np.column_stack([np.nanmean(keyed[:, list(s[0::2])], axis=1) for s in scales])
        even = np.column_stack([np.nanmean(keyed[:, list(s[1::2])], axis=1) for s in scales])
    r = row_correlation(odd, even, min_scales)
    with np.errstate(divide="ignore", invalid="ignore"):
        corrected = 2 * r / (1 + r)
    return np.where(np.isnan(r), np.nan, np.maximum(corrected, -1.0))


def antonym_pairs(raw: np.ndarray, threshold: float = -0.60) -> np.ndarray:
    """``(m, 2)`` item columns whose sample correlation is below ``threshold`` (Meade & Craig 2012).

    Computed on the complete rows; each item is used in at most one pair, the most negative
    first, so no item weighs twice in a teacher's antonym correlation."""
    complete = raw[~np.isnan(raw).any(axis=1)]
    if len(complete) < 3:
        return np.empty((0, 2), dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.corrcoef(complete, rowvar=False)
    upper = np.triu(np.where(np.isnan(corr), 0.0, corr), k=1)
    rows, cols = np.nonzero(upper < threshold)
    used: set[int] = set()
    pairs = []
    for k in np.argsort(upper[rows, cols], kind="stable"):
        a, b = int(rows[k]), int(cols[k])
        if a not in used and b not in used:
            pairs.append((a, b))
            used |= {a, b}
    return np.array(pairs, dtype=np.int64).reshape(len(pairs), 2)


def antonyms(z_raw: np.ndarray, pairs: np.ndarray, min_pairs: int = 3) -> np.ndarray:
    """Within-person correlation across antonym pairs of standardized raw answers.

    An attentive teacher answers one side of each pair high and the other low, so the
    correlation is negative; near 0 or positive means the meanings were not read
    (Meade & Craig 2012)."""
    if len(pairs) == 0:
        return np.full(len(z_raw), np.nan)
    return row_correlation(z_raw[:, pairs[:, 0]], z_raw[:, pairs[:, 1]], min_pairs)


def row_correlation(x: np.ndarray, y: np.ndarray, min_count: int) -> np.ndarray:
    """Per row, the Pearson correlation of ``x`` with ``y`` over the columns where both are set."""
    both = ~(np.isnan(x) | np.isnan(y))
    count = both.sum(axis=1)
    xs, ys = np.where(both, x, 0.0), np.where(both, y, 0.0)
    safe = np.maximum(count, 1)
    dx = np.where(both, xs - (xs.sum(axis=1) / safe)[:, None], 0.0)
    dy = np.where(both, ys - (ys.sum(axis=1) / safe)[:, None], 0.0)
    sxx, syy = (dx * dx).sum(axis=1), (dy * dy).sum(axis=1)
    ok = (count >= min_count) & (sxx > 1e-12) & (syy > 1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (dx * dy).sum(axis=1) / np.sqrt(sxx * syy)
    return np.where(ok, np.clip(r, -1.0, 1.0), np.nan)


def normal_scores(x: np.ndarray) -> np.ndarray:
    """Each column's answers as the normal quantile of their mid-rank among the answered rows.

    Ordinal items with a floor (most PHQ-9 answers are 0) are far from normal; on normal scores
    the minimum covariance determinant finds a non-degenerate core and D^2 measures how the
    answers hang together rather than how far they are from the floor."""
    out = np.full(x.shape, np.nan)
    for column in range(x.shape[1]):
        answered = ~np.isnan(x[:, column])
        values, inverse, counts = np.unique(
            x[answered, column], return_inverse=True, return_counts=True
        )
        if len(values) == 0:
            continue
        mid = (np.cumsum(counts) - counts / 2) / answered.sum()
        out[answered, column] = norm.ppf(mid)[inverse]
    return out


def robust_mahalanobis(
    keyed: np.ndarray, min_rows: int, common: int = 0, seed: int = 0
) -> np.ndarray:
    """Squared robust Mahalanobis distance of each complete row (Meade & Craig 2012).

    On the normal scores of the complete rows, centre and scatter by the minimum covariance
    determinant (``sklearn.covariance.MinCovDet``) fitted on at most :data:`MCD_FIT_ROWS` of
    them drawn with ``seed``.  The ``common`` largest principal directions of that scatter (the
    shared distress the scales measure) are left out: an honest teacher far along them is
    distressed, not careless (Conijn et al. 2019), and D^2 has ``p - common`` degrees of freedom.
    NaN for a row with an unanswered item, and everywhere when fewer
    than ``min_rows`` rows are complete."""
    complete = ~np.isnan(keyed).any(axis=1)
    distance = np.full(len(keyed), np.nan)
    rows = np.flatnonzero(complete)
    if len(rows) < min_rows:
        return distance
    scores = normal_scores(keyed[rows])
    rng = np.random.default_rng(seed)
    fit_rows = rng.choice(len(rows), min(len(rows), MCD_FIT_ROWS), replace=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "determinant has increased" on ties
        warnings.simplefilter("ignore", UserWarning)
        mcd = MinCovDet(support_fraction=MCD_SUPPORT, random_state=seed).fit(scores[fit_rows])
    values, vectors = np.linalg.eigh(mcd.covariance_)  # ascending
    kept = slice(0, len(values) - common)
    projected = (scores - mcd.location_) @ vectors[:, kept]
    distance[rows] = (projected**2 / np.maximum(values[kept], 1e-12)).sum(axis=1)
    return distance


def seconds_per_item(page_seconds: np.ndarray, page_items: np.ndarray) -> np.ndarray:
    """Seconds per item over the pages whose time is known (Huang et al. 2012, J Bus Psychol
    27:99: under 2 s an item is too fast to have read it); NaN when no page time is known."""
    known = ~np.isnan(page_seconds)
    items = (known * page_items).sum(axis=1)
    seconds = np.where(known, page_seconds, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(items > 0, seconds / items, np.nan)
