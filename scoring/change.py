"""Reliable change between a teacher's previous completed wave and this one.

Jacobson NS, Truax P. Clinical significance: a statistical approach to defining meaningful
change in psychotherapy research. J Consult Clin Psychol. 1991;59(1):12-19.

A change Δ = current − previous is reliable when ``|Δ| > 1.96 · SD · √(2 (1 − r))``, where SD
is the standard deviation of the previous wave's whole distribution (all teachers who
completed the instrument) and r the test–retest reliability from the instrument file.
The direction that counts as deterioration comes from the instrument (``worse``): higher for
PHQ-9, GAD-7 and PSS-10, lower for WHO-5.  WHO-5 change is assessed on the percentage scale:
r is unchanged by the linear map ×4 and the threshold scales with SD, so the decision is the
same on either scale provided SD is given on the percentage scale.

Which SD: the previous wave's, frozen when it closed (:func:`wave_sd`), when at least
``MIN_WAVE_RESPONDENTS`` teachers completed the instrument in it; otherwise the published
normative SD pinned beside the reliability in the instrument file, if there is one
(:func:`change_sd`); otherwise change is not assessed, and the caller says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from instruments import ReliableChange
from scoring.codes import RELIABLE_DETERIORATION, RELIABLE_IMPROVEMENT

Z_95 = 1.96
# Fewer complete answers than this give no SD of the wave's own: the sample SD's relative
# standard error is about 1/sqrt(2(n-1)), 13 % at 30; and the SD of a handful of teachers' scores
# would tell their differences to anyone reading the plain column it is kept in.
MIN_WAVE_RESPONDENTS = 30
SD_FROM_WAVE = "wave"
SD_NORMATIVE = "normative"


@dataclass(frozen=True)
class PreviousWave:
    """Previous-wave scores of one instrument and the SD of that wave's whole distribution.

    Attributes
    ----------
    scores : ndarray, shape (n_teachers,)
        Each teacher's score in their previous completed wave (on the instrument's
        reliable-change score, e.g. WHO-5 percentage); NaN when there is none.
    sd : float
        SD of that wave's whole distribution (see :func:`previous_wave_sd`); > 0.
    """

    scores: NDArray[np.floating[Any]]
    sd: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.sd) and self.sd > 0):
            raise ValueError(f"previous-wave SD must be finite and > 0, not {self.sd!r}")
        if self.scores.ndim != 1:
            raise ValueError("previous-wave scores must be one-dimensional (n_teachers,)")


def previous_wave_sd(scores: ArrayLike) -> float:
    """Sample SD (ddof=1) of one wave's scores, ignoring NaN; needs two or more scores."""
    x = np.asarray(scores, dtype=np.float64)
    x = x[~np.isnan(x)]
    if x.size < 2:
        raise ValueError("need at least two previous-wave scores to estimate the SD")
    return float(np.std(x, ddof=1))


def wave_sd(scores: ArrayLike) -> float | None:
    """The SD to freeze for one wave's scores (NaN ignored): :func:`previous_wave_sd` when at
    least ``MIN_WAVE_RESPONDENTS`` are present and they are not all alike, else None."""
    x = np.asarray(scores, dtype=np.float64)
    if int(np.count_nonzero(~np.isnan(x))) < MIN_WAVE_RESPONDENTS:
        return None
    sd = previous_wave_sd(x)
    return sd if math.isfinite(sd) and sd > 0 else None


def change_sd(frozen_sd: float | None, setting: ReliableChange) -> tuple[float, str] | None:
    """The SD a change is judged with, and where it came from: the previous wave's frozen SD
    (``"wave"``), else the published normative SD of ``setting`` (``"normative"``), else None
    (change is not assessed)."""
    if frozen_sd is not None and math.isfinite(frozen_sd) and frozen_sd > 0:
        return frozen_sd, SD_FROM_WAVE
    if setting.normative_sd is not None:
        return setting.normative_sd, SD_NORMATIVE
    return None


def reliable_change_threshold(sd: float, r: float) -> float:
    """Smallest |Δ| that is not reliable: ``1.96 · sd · √(2 (1 − r))`` (Jacobson & Truax 1991)."""
    if not (math.isfinite(sd) and sd > 0):
        raise ValueError(f"sd must be finite and > 0, not {sd!r}")
    if not 0 < r < 1:
        raise ValueError(f"r must be strictly between 0 and 1, not {r!r}")
    return Z_95 * sd * math.sqrt(2.0 * (1.0 - r))


def reliable_change_flags(
    current: NDArray[np.floating[Any]],
    previous: NDArray[np.floating[Any]],
    sd: float,
    setting: ReliableChange,
    flags: NDArray[np.uint16],
) -> None:
    """Set the deterioration / improvement bits of ``flags`` (n,) in place.

    ``current`` and ``previous`` have shape (n,); NaN in either means no flag.
    """
    threshold = np.float64(reliable_change_threshold(sd, setting.r))
    delta = np.subtract(current, previous, dtype=np.float64)
    worse = delta if setting.worse == "higher" else -delta
    flags |= np.left_shift(worse > threshold, _bit(RELIABLE_DETERIORATION), dtype=flags.dtype)
    flags |= np.left_shift(-worse > threshold, _bit(RELIABLE_IMPROVEMENT), dtype=flags.dtype)


def _bit(value: int) -> int:
    return value.bit_length() - 1
