"""Small factories for scoring tests: answer rows and one-line results by name."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from scoring import PreviousWave, default_policy, score_battery, summarize
from scoring.policy import RiskPolicy

NAN = math.nan
FULL_BATTERY = ("phq9", "gad7", "who5", "k10", "pss10", "cbi")
N_ITEMS = {"phq9": 9, "gad7": 7, "who5": 5, "k10": 10, "pss10": 10, "cbi": 19}


def score(
    instrument: str,
    answers: Sequence[float | None],
    policy: RiskPolicy | None = None,
    previous: Mapping[str, PreviousWave] | None = None,
) -> dict[str, Any]:
    """Score one teacher on one instrument; the result as the CLI would print it (en)."""
    pol = policy or default_policy()
    row = np.array([[NAN if a is None else a for a in answers]], dtype=np.float64)
    result = score_battery([instrument], row, pol, previous)
    out = summarize(result.instruments[instrument], 0, pol, "en")
    out["reason_ids"] = [r.id for r in pol.rules if int(result.reasons[0]) >> r.index & 1]
    return out


def with_total(total: int, n_items: int, top: int, lo: int = 0) -> list[float]:
    """``n_items`` answers between ``lo`` and ``top`` summing to ``total``, filled from item 1."""
    if not n_items * lo <= total <= n_items * top:
        raise ValueError("total out of range")
    answers, left = [], total - n_items * lo
    for _ in range(n_items):
        step = min(top - lo, left)
        answers.append(float(lo + step))
        left -= step
    return answers


def phq9(total: int, item9: float | None = 0) -> list[float | None]:
    """PHQ-9 answers with ``total`` spread over items 1–8 and item 9 as given."""
    nine = 0 if item9 is None else int(item9)
    return [*with_total(total - nine, 8, 3), item9]
