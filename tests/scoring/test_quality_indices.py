"""Each careless-responding index on hand-built rows, pinned to its source."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from instruments import instruments_by_id
from scoring import quality_indices as qi
from scoring.quality_layout import battery_layout, keyed_values
from scoring.teacher_lines import ANALYSIS_BATTERY

NAN = np.nan


def test_longstring_is_the_longest_run_and_an_unanswered_item_ends_it() -> None:
    # Curran 2016 (J Exp Soc Psychol 66:4): the longest string of identical answers.
    rows = np.array([[0, 0, 0, 1, 1, 1, 1], [2, 2, NAN, 2, 2, 2, 0], [NAN] * 7])
    got = qi.longstring(rows)
    assert got[:2].tolist() == [4, 3]
    assert np.isnan(got[2])


def test_irv_is_the_within_person_sd_and_needs_enough_items() -> None:
    # Dunn et al. 2018: the SD of one person's answers across items (n - 1 denominator).
    z = np.array([[1.0, 2.0, 3.0, NAN], [0.5, 0.5, 0.5, 0.5], [1.0, NAN, NAN, NAN]])
    got = qi.irv(z, min_items=2)
    assert got[:2] == pytest.approx([1.0, 0.0])
    assert np.isnan(got[2])


def test_even_odd_is_the_spearman_brown_corrected_correlation_of_half_scales() -> None:
    # Meade & Craig 2012 (Psychol Methods 17:437): odd- vs even-item halves, r' = 2r / (1 + r).
    scales = [(0, 1, 2, 3), (4, 5, 6, 7), (8, 9, 10, 11)]
    row = np.array([[0.0, 0.2, 0.4, 0.2, 1.0, 0.6, 0.8, 1.0, 0.4, 0.0, 0.6, 0.4]])
    odd = [np.mean(row[0, list(s[0::2])]) for s in scales]
    even = [np.mean(row[0, list(s[1::2])]) for s in scales]
    r = np.corrcoef(odd, even)[0, 1]
    assert qi.even_odd(row, scales)[0] == pytest.approx(2 * r / (1 + r))
    opposite = np.array([[1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.5, 0.5, 0.5, 0.5]])
    assert qi.even_odd(opposite, scales)[0] == -1.0  # r = -1: bounded at -1, and suspicious


def test_antonym_pairs_are_item_pairs_below_minus_point_six() -> None:
    # Meade & Craig 2012: pairs with a sample correlation below -.60 are psychometric antonyms.
    rng = np.random.default_rng(0)
    a = rng.normal(size=500)
    x = np.column_stack([a, rng.normal(size=500), -a + 0.3 * rng.normal(size=500),
                         -0.3 * a + rng.normal(size=500)])  # fmt: skip
    assert qi.antonym_pairs(x).tolist() == [[0, 2]]


def test_antonyms_is_the_within_person_correlation_across_pairs() -> None:
    z = np.array([[1.0, -1.0, 0.5, -0.5, 2.0, -2.0], [1.0, 1.0, -1.0, -1.0, 0.0, 0.0]])
    pairs = np.array([[0, 1], [2, 3], [4, 5]])
    assert qi.antonyms(z, pairs) == pytest.approx([-1.0, 1.0])


def test_robust_mahalanobis_puts_an_off_pattern_row_beyond_chi_square() -> None:
    # Meade & Craig 2012: D^2 against chi-square with df = items, p < .001.
    rng = np.random.default_rng(1)
    common = rng.normal(size=(1000, 1))
    x = 0.8 * common + 0.6 * rng.normal(size=(1000, 8))
    x[0] = [2.5, -2.5, 2.5, -2.5, 2.5, -2.5, 2.5, -2.5]  # every item against the others
    x[1] = 2.5  # as far along the shared factor, but consistent
    d2 = qi.robust_mahalanobis(x, min_rows=100)
    cut = chi2.ppf(0.999, df=8)
    assert d2[0] > cut
    assert np.median(d2[2:]) < chi2.ppf(0.5, df=8) * 1.5
    without_common = qi.robust_mahalanobis(x, min_rows=100, common=1)
    assert without_common[1] < chi2.ppf(0.999, df=7) < without_common[0]
    assert np.isnan(qi.robust_mahalanobis(x[:50], min_rows=100)).all()


def test_seconds_per_item_over_the_pages_with_a_known_time() -> None:
    # Huang et al. 2012 (J Bus Psychol 27:99): under 2 s an item is too fast to read it.
    seconds = np.array([[18.0, NAN], [9.0, 7.0], [NAN, NAN]])
    got = qi.seconds_per_item(seconds, np.array([9, 7]))
    assert got[:2] == pytest.approx([2.0, 1.0])
    assert np.isnan(got[2])


def test_keyed_values_turn_wellbeing_and_reverse_keyed_items_towards_distress() -> None:
    layout = battery_layout(ANALYSIS_BATTERY, instruments_by_id())
    ids = list(layout.item_ids)
    row = np.full((1, len(ids)), NAN)
    for item, value in [("phq9_1", 3), ("who5_1", 5), ("pss10_1", 4), ("pss10_4", 4),
                        ("k10_1", 1), ("cbi_w1", 100), ("cbi_w7", 100)]:  # fmt: skip
        row[0, ids.index(item)] = value
    keyed = dict(zip(ids, keyed_values(row, layout)[0], strict=True))
    assert [keyed[i] for i in ("phq9_1", "who5_1", "pss10_1", "pss10_4")] == [1, 0, 1, 0]
    assert [keyed[i] for i in ("k10_1", "cbi_w1", "cbi_w7")] == [0, 1, 0]
