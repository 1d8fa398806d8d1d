"""Teacher-wave panels and the features the next-wave model reads from them.

A row's features are its 60 item answers, its scale scores, the change of each score since the
teacher's previous row (0 with an indicator when there is none), how many waves the teacher has
answered so far, and one-hot school level and years-of-service band.  No identity and no school:
the model must not learn who or where, only how answers move.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from scoring.engine import score_battery
from scoring.policy import RiskPolicy
from scoring.teacher_lines import ANALYSIS_BATTERY

if TYPE_CHECKING:
    from scoring.synthetic import SyntheticCensus

# (instrument, score) pairs used as features: every non-derived score of the battery.
SCORES = (
    ("phq9", "total"),
    ("gad7", "total"),
    ("who5", "raw"),
    ("k10", "total"),
    ("pss10", "total"),
    ("cbi", "personal"),
    ("cbi", "work"),
    ("cbi", "students"),
)
SCHOOL_LEVELS = 3  # codes 0..2; -1 unknown
YEARS_BANDS = (5, 15, 25)  # band 0: < 5 years, 1: 5-14, 2: 15-24, 3: 25 or more
HIGH = 3  # engine level code of "high"; crisis is 4


@dataclass(frozen=True)
class Panel:
    """One row per teacher-wave."""

    ids: np.ndarray  # (n,) object: teacher ids (pseudonyms in the app)
    wave: np.ndarray  # (n,) int: the wave's ordinal, increasing with time
    answers: np.ndarray  # (n, 60) ANALYSIS_BATTERY order, NaN missing
    school_level: np.ndarray  # (n,) int, -1 unknown
    years_band: np.ndarray  # (n,) int, -1 unknown

    def __post_init__(self) -> None:
        n = len(self.ids)
        if self.wave.ndim != 1 or n != len(self.wave):
            raise ValueError("wave must have one value per id")
        if self.answers.ndim != 2 or self.answers.shape[0] != n:
            raise ValueError("answers must have one row per id")
        for name in ("school_level", "years_band"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} must have one value per id")


def years_band(years: float | None) -> int:
    """Years-of-service band: 0 under 5, 1 for 5-14, 2 for 15-24, 3 for 25 or more; -1 unknown."""
    if years is None or not np.isfinite(years) or years < 0:
        return -1
    return int(np.searchsorted(YEARS_BANDS, years, side="right"))


def census_panel(census: SyntheticCensus, waves: range | None = None) -> Panel:
    """The respondents of a synthetic census's ``waves`` (all by default) as a panel."""
    ids = np.asarray(census.ids, dtype=object)
    band = np.array([years_band(y) for y in census.years_of_service.tolist()], dtype=np.int64)
    picked = range(len(census.waves)) if waves is None else waves
    parts = [(t, census.waves[t].responded) for t in picked]
    return Panel(
        ids=np.concatenate([ids[r] for _, r in parts]),
        wave=np.concatenate([np.full(int(r.sum()), t + 1) for t, r in parts]),
        answers=np.concatenate([census.waves[t].answers[r] for t, r in parts]),
        school_level=np.concatenate([census.school_level[r] for _, r in parts]),
        years_band=np.concatenate([band[r] for _, r in parts]),
    )


def panel_digest(panel: Panel) -> str:
    """sha256 of the panel's ids, waves, answers and context, in row order."""
    h = hashlib.sha256()
    h.update("\x1f".join(str(i) for i in panel.ids).encode("utf-8"))
    for arr in (panel.wave, panel.school_level, panel.years_band):
        h.update(np.ascontiguousarray(arr, dtype=np.int64).tobytes())
    h.update(np.ascontiguousarray(panel.answers, dtype=np.float64).tobytes())
    return h.hexdigest()


def feature_names(n_items: int) -> list[str]:
    """Column names of :func:`row_features`, in order."""
    names = [f"item_{j}" for j in range(n_items)]
    names += [f"{i}_{s}" for i, s in SCORES]
    names += [f"change_{i}_{s}" for i, s in SCORES] + ["has_previous", "waves_answered"]
    names += [f"school_level_{k}" for k in (*range(SCHOOL_LEVELS), -1)]
    names += [f"years_band_{k}" for k in (*range(len(YEARS_BANDS) + 1), -1)]
    return names


@dataclass(frozen=True)
class Rows:
    """The panel sorted by teacher and wave, with each row's previous and next row."""

    order: np.ndarray  # (n,) panel row of each sorted row
    teacher: np.ndarray  # (n,) int code of the teacher, sorted
    wave_rank: np.ndarray  # (n,) rank of the row's wave among the panel's waves
    previous: np.ndarray  # (n,) sorted index of the teacher's previous row, -1 none
    next_wave: np.ndarray  # (n,) sorted index of the teacher's row at the next wave, -1 none
    waves: np.ndarray  # the panel's distinct waves, increasing


def sort_rows(panel: Panel) -> Rows:
    """Sort by teacher then wave; a teacher with two rows in one wave is an error."""
    _, teacher = np.unique(np.asarray(panel.ids, dtype=str), return_inverse=True)
    waves, rank = np.unique(panel.wave, return_inverse=True)
    order = np.lexsort((rank, teacher))
    t, r = teacher[order], rank[order]
    same = t[1:] == t[:-1]
    if (same & (r[1:] == r[:-1])).any():
        raise ValueError("a teacher has two rows in the same wave")
    n = len(order)
    previous = np.full(n, -1, dtype=np.int64)
    previous[1:][same] = np.flatnonzero(same)
    next_wave = np.full(n, -1, dtype=np.int64)
    step = same & (r[1:] == r[:-1] + 1)
    next_wave[:-1][step] = np.flatnonzero(step) + 1
    return Rows(order, t, r, previous, next_wave, waves)


def row_features(panel: Panel, rows: Rows) -> np.ndarray:
    """Features of every sorted row, shape (n, len(feature_names)); NaN where unanswered."""
    answers = panel.answers[rows.order]
    scores = _scores(answers)
    has_prev = rows.previous >= 0
    prev_scores = scores[np.where(has_prev, rows.previous, 0)]
    change = np.where(has_prev[:, None], scores - prev_scores, 0.0)
    change = np.where(np.isnan(change), 0.0, change)
    answered = _running_count(rows.teacher)
    level = panel.school_level[rows.order]
    band = panel.years_band[rows.order]
    return np.column_stack(
        [
            answers,
            scores,
            change,
            has_prev.astype(float),
            answered,
            _one_hot(level, SCHOOL_LEVELS),
            _one_hot(band, len(YEARS_BANDS) + 1),
        ]
    )


def battery_levels(answers: np.ndarray, policy: RiskPolicy | None) -> np.ndarray:
    """Engine battery level code of each row (0 none ... 4 crisis) by ``policy``."""
    return np.asarray(score_battery(ANALYSIS_BATTERY, answers, policy).level, dtype=np.int64)


def _scores(answers: np.ndarray) -> np.ndarray:
    result = score_battery(ANALYSIS_BATTERY, answers)
    cols = [result.instruments[i].scores[s] for i, s in SCORES]
    return np.column_stack(cols).astype(np.float64)


def _running_count(teacher: np.ndarray) -> np.ndarray:
    """1, 2, 3, ... within each run of one teacher (rows sorted by teacher)."""
    n = len(teacher)
    starts = np.r_[True, teacher[1:] != teacher[:-1]] if n else np.zeros(0, dtype=bool)
    idx = np.arange(n)
    first = np.maximum.accumulate(np.where(starts, idx, 0))
    return (idx - first + 1).astype(float)


def _one_hot(codes: np.ndarray, k: int) -> np.ndarray:
    """Columns for codes 0..k-1, then one for unknown (any other code)."""
    codes = np.asarray(codes, dtype=np.int64)
    known = (codes >= 0) & (codes < k)
    out = np.zeros((len(codes), k + 1))
    out[np.flatnonzero(known), codes[known]] = 1.0
    out[~known, k] = 1.0
    return out
