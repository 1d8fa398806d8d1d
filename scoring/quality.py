"""Careless responding in one wave: six indices per teacher, flagged when two agree at an extreme.

Across the whole battery (60 items of ``ANALYSIS_BATTERY``), per teacher:

================== ============================================== ==============================
index              computed on                                    extreme when
================== ============================================== ==============================
longstring         option positions, as shown and by value        >= top tail, >= half the items
irv                SD of standardized keyed answers               in either tail
even_odd           keyed half-scale means over the 8 scales       <= 0
antonyms           standardized raw answers over antonym pairs    >= 0 and in the top tail
mahalanobis        normal scores of keyed answers, MinCovDet      > chi-square(p) 99.9th pct.
                                                                  and in the top tail
seconds_per_item   page times / items on those pages              < 2
================== ============================================== ==============================

A tail is the most extreme 5% (:data:`TAIL`) of the wave's teachers in the same fifth of overall
distress (mean keyed answer, :func:`level_bands`).  The published absolute rules (even-odd
<= 0, D^2 beyond chi-square at p < .001, < 2 s an item) are used as published where they hold;
chi-square assumes normal answers, and on these ordinal, floor-heavy items a fifth of honest
teachers, twice as many of the distressed, pass it, so D^2 must also be in the top tail.

Sources: Curran 2016 (J Exp Soc Psychol 66:4) for longstring and sample-relative, conservative
cut-offs; Dunn et al. 2018 for IRV; Meade & Craig 2012 (Psychol Methods 17:437) for even-odd,
psychometric antonyms (pairs with sample r < -.60) and Mahalanobis D^2 at p < .001 with df =
items; Huang et al. 2012 (J Bus Psychol 27:99) for < 2 s per item.  No single index is trusted
alone (Goldammer et al. 2020): a teacher is flagged only when at least two are extreme.

Distressed teachers answer more extremely, and D^2, longstring and IRV are confounded with
severity (Conijn et al. 2019).  So the indices read keyed answers, on which an honest teacher's
answers move together at any level of distress, and longstring reads option positions, on which
the battery's mix of wordings breaks the runs of a consistently distressed teacher.  A run counts
in the order the page shows the options (one place clicked again and again) or in value order
(the same rank of answer, whichever way a page lists them), whichever is longer.  A flag is a
note for the psychologist; nothing here has, or changes, a score or a level.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2

from instruments import instruments_by_id
from scoring import quality_indices as qi
from scoring.quality_layout import antonym_columns, battery_layout, keyed_values, option_index

INDICES = ("longstring", "irv", "even_odd", "antonyms", "mahalanobis", "seconds_per_item")
# Below this many teachers nobody is flagged: a 1st/99th percentile of fewer than a few hundred
# rows is one or two people, and the robust scatter of 60 items needs several times 60 complete
# rows to be stable (MinCovDet keeps 75% of them).  The indices are still returned.
MIN_SAMPLE = 300
# The sample-relative tails, within a band of overall distress.  Curran 2016 asks for conservative
# cut-offs, and two indices must agree; on the synthetic census with 5% careless, 2.5% tails
# caught three in five careless rows (nine in ten flags right), 5% tails three in four (three in
# four right), with the honest distressed flagged no more than the rest (tests/scoring).
TAIL = 0.05
MAHALANOBIS_P = 0.001  # Meade & Craig 2012
RUSHING_SECONDS = 2.0  # Huang et al. 2012
MIN_SAMPLE_PAIRS = 5  # fewer antonym pairs than this in the data: use the known pairs
AGREEING = 2  # indices that must agree before a teacher is flagged
LEVEL_BANDS = 5  # quintiles of overall distress within which the tails are taken


@dataclass(frozen=True)
class QualityResult:
    """Indices, their extreme tails and the flag, one entry per teacher."""

    flag: np.ndarray  # (n,) bool: two or more indices at an extreme tail
    indices: dict[str, np.ndarray]  # name -> (n,) float, NaN where not computable
    extreme: dict[str, np.ndarray]  # name -> (n,) bool

    def reasons(self, row: int) -> list[str]:
        """Names of the indices at an extreme tail for teacher ``row``, in :data:`INDICES` order."""
        return [name for name in INDICES if self.extreme[name][row]]


def assess_quality(
    battery: Sequence[str], answers: np.ndarray, page_seconds: np.ndarray | None = None
) -> QualityResult:
    """The six indices of every teacher of one wave, their extreme tails and the flag.

    Parameters
    ----------
    battery : sequence of str
        Instrument ids in column order (normally ``ANALYSIS_BATTERY``).
    answers : ndarray, shape (n_teachers, n_items)
        Published option values, NaN unanswered, as :func:`scoring.score_battery` takes them.
    page_seconds : ndarray, shape (n_teachers, len(battery)), optional
        Seconds each instrument's page was open; NaN unknown.

    Returns
    -------
    QualityResult
        Cut-offs are relative to the rows given, read as one wave.
    """
    layout = battery_layout(battery, instruments_by_id())
    x = np.asarray(answers, dtype=np.float64)
    n, p = len(x), len(layout.item_ids)
    if x.ndim != 2 or x.shape[1] != p:
        raise ValueError(f"answers must have shape (n, {p}), not {x.shape}")
    seconds = _page_seconds(page_seconds, n, len(layout.page_items))
    keyed = keyed_values(x, layout)
    pairs = qi.antonym_pairs(x)
    if len(pairs) < MIN_SAMPLE_PAIRS:
        pairs = antonym_columns(layout)
    indices = {
        "longstring": np.fmax(
            qi.longstring(option_index(x, layout.shown)),
            qi.longstring(option_index(x, layout.ascending)),
        ),
        "irv": qi.irv(qi.standardize(keyed), min_items=p // 2),
        "even_odd": qi.even_odd(keyed, layout.scales),
        "antonyms": qi.antonyms(qi.standardize(x), pairs),
        "mahalanobis": qi.robust_mahalanobis(keyed, MIN_SAMPLE, common=len(battery)),
        "seconds_per_item": qi.seconds_per_item(seconds, layout.page_items),
    }
    extreme = extreme_tails(indices, level_bands(keyed), n_items=p, d2_df=p - len(battery))
    if n < MIN_SAMPLE:
        extreme = {name: np.zeros(n, dtype=bool) for name in INDICES}
    agreeing = np.sum([extreme[name] for name in INDICES], axis=0)
    return QualityResult(flag=agreeing >= AGREEING, indices=indices, extreme=extreme)


def level_bands(keyed: np.ndarray) -> np.ndarray:
    """``(n,)`` band (0 .. LEVEL_BANDS - 1) of each teacher's mean keyed answer; -1 if none.

    The sample-relative tails are taken within a band, against teachers of about the same
    overall distress, so a distressed teacher's noisier answers are not read as carelessness."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a teacher who answered nothing
        level = np.nanmean(keyed, axis=1)
    known = ~np.isnan(level)
    band = np.full(len(level), -1, dtype=np.int64)
    if known.any():
        edges = np.quantile(level[known], np.linspace(0, 1, LEVEL_BANDS + 1)[1:-1])
        band[known] = np.searchsorted(edges, level[known], side="right")
    return band


def extreme_tails(
    indices: dict[str, np.ndarray], band: np.ndarray, n_items: int, d2_df: int
) -> dict[str, np.ndarray]:
    """Each index's extreme tail under the rule in the module docstring; NaN is never extreme."""
    run, sd = indices["longstring"], indices["irv"]
    pairs, halves = indices["antonyms"], indices["even_odd"]
    distance = indices["mahalanobis"]
    return {
        "longstring": (run >= _cut(run, band, 1 - TAIL)) & (run >= n_items / 2),
        "irv": (sd <= _cut(sd, band, TAIL)) | (sd >= _cut(sd, band, 1 - TAIL)),
        "even_odd": (halves <= 0) & (halves <= _cut(halves, band, 2 * TAIL)),
        "antonyms": (pairs >= 0) & (pairs >= _cut(pairs, band, 1 - TAIL)),
        "mahalanobis": (distance > chi2.ppf(1 - MAHALANOBIS_P, df=d2_df))
        & (distance >= _cut(distance, band, 1 - TAIL)),
        "seconds_per_item": indices["seconds_per_item"] < RUSHING_SECONDS,
    }


def _cut(values: np.ndarray, band: np.ndarray, q: float) -> np.ndarray:
    """``(n,)`` the ``q`` quantile of ``values`` within each row's band; NaN where none."""
    cut = np.full(len(values), np.nan)
    for b in np.unique(band[band >= 0]):
        rows = band == b
        finite = values[rows & np.isfinite(values)]
        if len(finite):
            cut[rows] = np.quantile(finite, q)
    return cut


def _page_seconds(page_seconds: np.ndarray | None, n: int, pages: int) -> np.ndarray:
    if page_seconds is None:
        return np.full((n, pages), np.nan)
    seconds = np.asarray(page_seconds, dtype=np.float64)
    if seconds.shape != (n, pages):
        raise ValueError(f"page_seconds must have shape ({n}, {pages}), not {seconds.shape}")
    return seconds
