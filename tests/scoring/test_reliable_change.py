"""Reliable change (Jacobson NS, Truax P. J Consult Clin Psychol 1991;59:12-19).

A change is reliable when |current - previous| > 1.96 * SD * sqrt(2 * (1 - r)), SD of the
previous wave's whole distribution, r the instrument's test-retest reliability.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from instruments import ReliableChange
from scoring import PreviousWave, previous_wave_sd, reliable_change_threshold, score_battery
from scoring.change import reliable_change_flags
from tests.support.scoring import phq9, score, with_total


def test_threshold_formula_for_phq9() -> None:
    # PHQ-9 r = 0.86 (Wang 2014); with SD 5: 1.96 * 5 * sqrt(0.28) = 5.186...
    assert reliable_change_threshold(5.0, 0.86) == pytest.approx(1.96 * 5 * math.sqrt(0.28))


@pytest.mark.parametrize(("previous", "current", "flag"), [
    (4, 10, "reliable_deterioration"),   # +6 > 5.19
    (5, 10, None),                       # +5 is not reliable
    (10, 4, "reliable_improvement"),
    (10, 5, None),
])  # fmt: skip
def test_phq9_change_direction_higher_is_worse(
    previous: int, current: int, flag: str | None
) -> None:
    out = score("phq9", phq9(current), previous={"phq9": PreviousWave(np.array([previous]), 5.0)})
    change = [f for f in out["flags"] if f.startswith("reliable_")]
    assert change == ([flag] if flag else [])


def test_reliable_deterioration_is_a_moderate_rule_with_its_reason() -> None:
    out = score("phq9", phq9(9), previous={"phq9": PreviousWave(np.array([2.0]), 3.0)})
    assert out["band"] == "mild"
    assert out["risk"] == "moderate"
    assert out["reason_ids"] == ["phq9_reliable_deterioration"]
    assert "previous wave" in out["reasons"][0]


def test_who5_lower_is_worse_on_the_percentage_scale() -> None:
    # r = 0.803 (Yang 2023), SD 20 percentage points: threshold 1.96*20*sqrt(0.394) = 24.6.
    prev = {"who5": PreviousWave(np.array([80.0]), 20.0)}
    worse = score("who5", with_total(13, 5, 5), previous=prev)  # 52 %: -28 points
    assert "reliable_deterioration" in worse["flags"] and worse["risk"] == "moderate"
    same = score("who5", with_total(15, 5, 5), previous=prev)  # 60 %: -20 points
    assert not any(f.startswith("reliable_") for f in same["flags"]) and same["risk"] == "low"
    better = score("who5", [5] * 5, previous={"who5": PreviousWave(np.array([60.0]), 10.0)})
    assert "reliable_improvement" in better["flags"]


def test_decision_is_the_same_on_raw_and_percentage_scales() -> None:
    # r is invariant under percentage = 4 x raw and the threshold scales with SD.
    setting = ReliableChange("percentage", 0.803, "lower", "test")
    rng = np.random.default_rng(1)
    before, after = rng.integers(0, 26, 500).astype(float), rng.integers(0, 26, 500).astype(float)
    raw_flags, pct_flags = np.zeros(500, np.uint16), np.zeros(500, np.uint16)
    reliable_change_flags(after, before, 4.5, setting, raw_flags)
    reliable_change_flags(after * 4, before * 4, 18.0, setting, pct_flags)
    assert np.array_equal(raw_flags, pct_flags) and raw_flags.any()


def test_no_previous_wave_or_incomplete_form_gives_no_change_flag() -> None:
    prev = {"phq9": PreviousWave(np.array([np.nan, 0.0]), 2.0)}
    rows = np.array([[3] * 8 + [0], [3] * 7 + [np.nan, 0]], dtype=float)
    flags = score_battery(["phq9"], rows, previous=prev).instruments["phq9"].flags
    assert not (flags & 0b11000).any()


def test_previous_wave_sd_is_the_sample_sd_of_the_whole_distribution() -> None:
    assert previous_wave_sd([1, 2, 3, 4, np.nan]) == pytest.approx(np.std([1, 2, 3, 4], ddof=1))
    with pytest.raises(ValueError, match="at least two"):
        previous_wave_sd([np.nan, 3.0])


@pytest.mark.parametrize("sd", [0.0, -1.0, math.nan, math.inf])
def test_degenerate_sd_is_refused(sd: float) -> None:
    with pytest.raises(ValueError, match=r"(?i)sd"):
        PreviousWave(np.array([1.0]), sd)


def test_previous_wave_is_refused_for_instruments_without_reliability() -> None:
    with pytest.raises(ValueError, match="no reliable-change setting"):
        score("k10", [1] * 10, previous={"k10": PreviousWave(np.array([10.0]), 5.0)})


def test_previous_scores_must_match_the_number_of_teachers() -> None:
    with pytest.raises(ValueError, match="shape"):
        score("phq9", phq9(3), previous={"phq9": PreviousWave(np.array([1.0, 2.0]), 5.0)})
