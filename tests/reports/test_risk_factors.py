"""Adjusted odds of high or crisis by group: the fit against hand computations, and disclosure."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reports.risk_factors import LEFT_OUT, OTHER, model_factor, odds_ratios, risk_factor_table

K = 10
SHOW_ALL = np.ones(3, bool)


def _two_by_two(a: int, b: int, c: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Group 0 has a events and b non-events; group 1 has c and d."""
    codes = np.array([0] * (a + b) + [1] * (c + d))
    y = np.array([True] * a + [False] * b + [True] * c + [False] * d)
    return codes, y


def test_with_one_factor_the_odds_ratio_is_that_of_the_two_by_two_table() -> None:
    codes, y = _two_by_two(400, 700, 200, 800)  # group 0 is the larger: the reference
    factor = model_factor("gender", codes, SHOW_ALL, y, K)
    assert factor is not None and factor.reference == 0
    (ratio,) = odds_ratios([factor], y, draws=200, seed=0)
    # By hand: (200 / 800) / (400 / 700) = 0.4375.
    assert ratio.ratio == pytest.approx(200 * 700 / (800 * 400), rel=1e-4)
    # Woolf's interval exp(ln OR +- 1.96 sqrt(1/a + 1/b + 1/c + 1/d)), which the percentile
    # bootstrap of 200 draws approximates.
    se = math.sqrt(1 / 400 + 1 / 700 + 1 / 200 + 1 / 800)
    assert ratio.low == pytest.approx(0.4375 * math.exp(-1.96 * se), abs=0.03)
    assert ratio.high == pytest.approx(0.4375 * math.exp(1.96 * se), abs=0.03)
    assert odds_ratios([factor], y, draws=200, seed=0) == [ratio]  # seeded: reproducible


def test_each_factor_is_adjusted_for_the_other() -> None:
    # Two crossed factors with known odds ratios 2 and 0.5 and no interaction: each table's
    # cells are exact expected counts, so the fit recovers both.
    base, n = 0.2, 1000
    codes_a, codes_b, y = [], [], []
    for a in (0, 1):
        for b in (0, 1):
            odds = base / (1 - base) * (2.0**a) * (0.5**b)
            events = round(n * odds / (1 + odds) * (4 if (a, b) == (0, 0) else 1))
            size = n * (4 if (a, b) == (0, 0) else 1)
            codes_a += [a] * size
            codes_b += [b] * size
            y += [True] * events + [False] * (size - events)
    y_arr = np.array(y)
    fa = model_factor("age", np.array(codes_a), SHOW_ALL, y_arr, K)
    fb = model_factor("level", np.array(codes_b), SHOW_ALL, y_arr, K)
    assert fa is not None and fb is not None
    ratios = {r.factor: r.ratio for r in odds_ratios([fa, fb], y_arr, draws=20)}
    assert ratios == pytest.approx({"age": 2.0, "level": 0.5}, rel=0.01)


def test_small_groups_are_merged_into_other_and_a_still_small_other_is_left_out() -> None:
    large = ([True] * 50 + [False] * 150) * 2
    # Groups 2 and 3 have 6 teachers at high or crisis each (< k); together 12: "other".
    codes = np.array([0] * 200 + [1] * 200 + [2] * 40 + [3] * 40)
    y = np.array(large + ([True] * 6 + [False] * 34) * 2)
    factor = model_factor("subject", codes, np.ones(5, bool), y, K)
    assert factor is not None and factor.levels == (0, 1, OTHER)
    assert set(factor.codes[400:]) == {OTHER}
    # Group 2 alone: "other" would have 6 events, still below k, so its teachers are left out.
    factor = model_factor("subject", codes[:440], SHOW_ALL, y[:440], K)
    assert factor is not None and factor.levels == (0, 1)
    assert set(factor.codes[400:]) == {LEFT_OUT}
    # A group the release does not show enters only as part of "other", whatever its size.
    hidden = model_factor("subject", codes[:400], np.array([True, False, True]), y[:400], K)
    assert hidden is not None and hidden.levels == (0, OTHER)


def test_the_table_names_the_reference_and_never_a_group_below_k() -> None:
    codes, y = _two_by_two(300, 700, 150, 850)
    gender = np.concatenate([codes, np.full(8, 2)])  # 8 teachers not recorded: below k
    y = np.concatenate([y, np.ones(8, bool)])
    labels = {"gender": ("性别 Gender", ("女 Female", "男 Male", "未填 Not recorded"))}
    table = risk_factor_table({"gender": gender}, labels, {"gender": np.array([1, 1, 0], bool)},
                              y, K, draws=50)  # fmt: skip
    rows = {row[0]: row[1:] for row in table["rows"]}
    assert rows["性别 Gender: 女 Female"] == ["1（参照 reference）"]
    assert rows["性别 Gender: 男 Male"][0].startswith(f"{150 * 700 / (850 * 300):.2f} (")
    assert not any("Not recorded" in name or "Other" in name for name in rows)


def test_with_too_few_events_there_is_no_model_and_the_note_says_so() -> None:
    codes, y = _two_by_two(5, 500, 3, 500)
    labels = {"gender": ("性别 Gender", ("女 Female", "男 Male", "未填 Not recorded"))}
    table = risk_factor_table({"gender": codes}, labels, {"gender": SHOW_ALL}, y, K, draws=10)
    assert table["rows"] == []
    assert "Too few teachers at high or crisis" in table["note"]
