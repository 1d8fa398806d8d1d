"""Careless responding in one wave: six indices per teacher, flagged when two agree at an extreme.

Across the whole battery (60 items of ``ANALYSIS_BATTERY``), per teacher:

================== ============================================== ==============================
index              computed on                                    extreme when
================== ============================================== ==============================
longstring         shown option positions (what was clicked)      >= top tail, >= half the items
irv                SD of standardized keyed answers               in either tail
even_odd           keyed half-scale means over the 8 scales       <= 0
antonyms           standardized raw answers over antonym pairs    >= 0 and in the top tail
mahalanobis        normal scores of keyed answers, MinCovDet      > chi-square(p) 99.9th pct.
                                                                  and in the top tail
seconds_per_item   page times / items on those pages              < 2
================== ============================================== ==============================

A tail is the wave's most extreme 2.5% (:data:`TAIL`).  The published absolute rules (even-odd
<= 0, D^2 beyond chi-square at p < .001, < 2 s an item) are used as published where they hold;
chi-square assumes normal answers, and on these ordinal, floor-heavy items a fifth of honest
teachers, twice as many of the distressed, pass it, so D^2 must also be in the wave's top tail.

Sources: Curran 2016 (J Exp Soc Psychol 66:4) for longstring and sample-relative, conservative
cut-offs; Dunn et al. 2018 for IRV; Meade & Craig 2012 (Psychol Methods 17:437) for even-odd,
psychometric antonyms (pairs with sample r < -.60) and Mahalanobis D^2 at p < .001 with df =
items; Huang et al. 2012 (J Bus Psychol 27:99) for < 2 s per item.  No single index is trusted
alone (Goldammer et al. 2020): a teacher is flagged only when at least two are extreme.

Distressed teachers answer more extremely, and D^2, longstring and IRV are confounded with
severity (Conijn et al. 2019).  So the indices read keyed answers, on which an honest teacher's
answers move together at any level of distress, and longstring reads the page positions, on which
the battery's mix of wordings breaks the runs of a consistently distressed teacher.  A flag is a
note for the psychologist; nothing here has, or changes, a score or a level.
"""

from __future__ import annotations

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
# The sample-relative tails: beyond the 2.5th / 97.5th percentile.  Curran 2016 asks for
# conservative cut-offs; 1% tails flagged half of the careless rows of a wave with 5% careless,
# 2.5% tails flag more than four in five with over nine in ten flags right (tests/scoring).
TAIL = 0.025
MAHALANOBIS_P = 0.001  # Meade & Craig 2012
RUSHING_SECONDS = 2.0  # Huang et al. 2012
MIN_SAMPLE_PAIRS = 5  # fewer antonym pairs than this in the data: use the known pairs
AGREEING = 2  # indices that must agree before a teacher is flagged


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
        "longstring": qi.longstring(option_index(x, layout.shown)),
        "irv": qi.irv(qi.standardize(keyed), min_items=p // 2),
        "even_odd": qi.even_odd(keyed, layout.scales),
        "antonyms": qi.antonyms(qi.standardize(x), pairs),
        "mahalanobis": qi.robust_mahalanobis(keyed, min_rows=MIN_SAMPLE),
        "seconds_per_item": qi.seconds_per_item(seconds, layout.page_items),
    }
    extreme = extreme_tails(indices, n_items=p)
    if n < MIN_SAMPLE:
        extreme = {name: np.zeros(n, dtype=bool) for name in INDICES}
    agreeing = np.sum([extreme[name] for name in INDICES], axis=0)
    return QualityResult(flag=agreeing >= AGREEING, indices=indices, extreme=extreme)


def extreme_tails(indices: dict[str, np.ndarray], n_items: int) -> dict[str, np.ndarray]:
    """Each index's extreme tail under the rule in the module docstring; NaN is never extreme."""
    run = indices["longstring"]
    sd = indices["irv"]
    opposite = indices["antonyms"]
    distance = indices["mahalanobis"]
    return {
        "longstring": (run >= _quantile(run, 1 - TAIL)) & (run >= n_items / 2),
        "irv": (sd <= _quantile(sd, TAIL)) | (sd >= _quantile(sd, 1 - TAIL)),
        "even_odd": indices["even_odd"] <= 0,
        "antonyms": (opposite >= 0) & (opposite >= _quantile(opposite, 1 - TAIL)),
        "mahalanobis": (distance > chi2.ppf(1 - MAHALANOBIS_P, df=n_items))
        & (distance >= _quantile(distance, 1 - TAIL)),
        "seconds_per_item": indices["seconds_per_item"] < RUSHING_SECONDS,
    }


def _quantile(values: np.ndarray, q: float) -> float:
    finite = values[np.isfinite(values)]
    return float(np.quantile(finite, q)) if len(finite) else float("nan")


def _page_seconds(page_seconds: np.ndarray | None, n: int, pages: int) -> np.ndarray:
    if page_seconds is None:
        return np.full((n, pages), np.nan)
    seconds = np.asarray(page_seconds, dtype=np.float64)
    if seconds.shape != (n, pages):
        raise ValueError(f"page_seconds must have shape ({n}, {pages}), not {seconds.shape}")
    return seconds
