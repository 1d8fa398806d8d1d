"""Reference tests pinned to the authors' published scoring rules, one instrument at a time.

Every band boundary is checked on both sides; every reverse key and missing-data rule too.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import pytest

from instruments.attainable import round_half_up
from tests.support.scoring import NAN, phq9, score, with_total

# PHQ-9: Kroenke K, Spitzer RL, Williams JBW. J Gen Intern Med 2001;16:606-613.
# Severity 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe.
PHQ9_BANDS = [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
    (14, "moderate"), (15, "moderately_severe"), (19, "moderately_severe"), (20, "severe"),
    (27, "severe"),
]  # fmt: skip


@pytest.mark.parametrize(("total", "band"), PHQ9_BANDS)
def test_phq9_band_boundaries_kroenke_2001(total: int, band: str) -> None:
    item9 = 3 if total > 24 else 0
    out = score("phq9", phq9(total, item9))
    assert out["scores"] == {"total": total}
    assert out["band"] == band


def test_phq9_incomplete_form_is_not_scored_kroenke_2001_gives_no_proration() -> None:
    out = score("phq9", [1, 1, 1, 1, None, 1, 1, 1, 0])
    assert out["scores"] == {"total": None}
    assert out["band"] is None
    assert out["risk"] is None
    assert "incomplete" in out["flags"]


# GAD-7: Spitzer RL et al. Arch Intern Med 2006;166:1092-1097. 0-4/5-9/10-14/15-21.
GAD7_BANDS = [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
    (14, "moderate"), (15, "severe"), (21, "severe"),
]  # fmt: skip


@pytest.mark.parametrize(("total", "band"), GAD7_BANDS)
def test_gad7_band_boundaries_spitzer_2006(total: int, band: str) -> None:
    out = score("gad7", with_total(total, 7, 3))
    assert out["scores"] == {"total": total}
    assert out["band"] == band


def test_gad7_incomplete_form_is_not_scored() -> None:
    out = score("gad7", [3, 3, 3, 3, 3, 3, None])
    assert out["scores"]["total"] is None and out["risk"] is None


# WHO-5: WHO-5 guidance (Psychiatric Centre North Zealand); Topp et al. Psychother Psychosom
# 2015;84:167. Percentage = raw x 4; raw < 13 poor; percentage <= 28 likely depression.
WHO5_BANDS = [
    (0, "likely_depression"), (7, "likely_depression"), (8, "poor"), (12, "poor"),
    (13, "good"), (25, "good"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "band"), WHO5_BANDS)
def test_who5_percentage_is_raw_times_4_and_three_bands_topp_2015(raw: int, band: str) -> None:
    out = score("who5", with_total(raw, 5, 5))
    assert out["scores"] == {"raw": raw, "percentage": raw * 4}
    assert out["band"] == band


def test_who5_any_item_answered_0_or_1_is_flagged_for_follow_up() -> None:
    assert "item_answered_0_or_1" in score("who5", [5, 5, 5, 5, 1])["flags"]
    assert "item_answered_0_or_1" not in score("who5", [2, 2, 2, 2, 2])["flags"]


def test_who5_incomplete_form_is_not_scored() -> None:
    out = score("who5", [5, 5, 5, None, 5])
    assert out["scores"] == {"raw": None, "percentage": None}


# K10: items 1-5, total 10-50 (Kessler et al. Psychol Med 2002;32:959). Bands: Andrews &
# Slade, Aust N Z J Public Health 2001;25:494: 10-15 low, 16-21 moderate, 22-29 high, 30-50.
K10_BANDS = [
    (10, "low"), (15, "low"), (16, "moderate"), (21, "moderate"), (22, "high"), (29, "high"),
    (30, "very_high"), (50, "very_high"),
]  # fmt: skip


@pytest.mark.parametrize(("total", "band"), K10_BANDS)
def test_k10_band_boundaries_andrews_slade_2001(total: int, band: str) -> None:
    out = score("k10", with_total(total, 10, 5, lo=1))
    assert out["scores"] == {"total": total}
    assert out["band"] == band
    assert "prorated" not in out["flags"]


@pytest.mark.parametrize("answered_sum", range(9, 46))
@pytest.mark.parametrize("missing_item", [0, 4, 9])
def test_k10_one_missing_item_is_prorated_amhocn_rule(answered_sum: int, missing_item: int) -> None:
    # AMHOCN / PMHC MDS: exactly one missing -> round(sum of the 9 answered x 10 / 9).
    answers: list[float | None] = list(with_total(answered_sum, 9, 5, lo=1))
    answers.insert(missing_item, None)
    out = score("k10", answers)
    assert out["scores"]["total"] == round_half_up(Fraction(answered_sum * 10, 9))
    assert "prorated" in out["flags"] and "incomplete" not in out["flags"]


@pytest.mark.parametrize(
    ("answered_sum", "total"), [(9, 10), (20, 22), (25, 28), (26, 29), (27, 30), (45, 50)]
)
def test_k10_proration_examples_round_to_nearest(answered_sum: int, total: int) -> None:
    answers: list[float | None] = [*with_total(answered_sum, 9, 5, lo=1), None]
    assert score("k10", answers)["scores"]["total"] == total


def test_k10_two_missing_items_are_not_scored() -> None:
    out = score("k10", [5, 5, 5, 5, 5, 5, 5, 5, None, None])
    assert out["scores"]["total"] is None
    assert out["band"] is None and out["risk"] is None
    assert out["flags"] == ["incomplete"]


# PSS-10: Cohen, Kamarck & Mermelstein 1983; Cohen & Williamson 1988. Items 4, 5, 7, 8 are
# reverse-scored (0<->4, 1<->3). No author cut-offs.
PSS10_REVERSED = {3, 4, 6, 7}  # zero-based positions of items 4, 5, 7, 8


def test_pss10_all_zero_answers_score_16_cohen() -> None:
    out = score("pss10", [0] * 10)
    assert out["scores"] == {"total": 16}
    assert out["band"] is None


@pytest.mark.parametrize("item", range(10))
def test_pss10_each_item_keyed_per_cohen(item: int) -> None:
    answers = [0.0] * 10
    answers[item] = 4
    expected = 16 - 4 if item in PSS10_REVERSED else 16 + 4
    assert score("pss10", answers)["scores"]["total"] == expected


@pytest.mark.parametrize(("value", "scored"), [(0, 4), (1, 3), (2, 2), (3, 1), (4, 0)])
def test_pss10_reversal_maps_each_option(value: int, scored: int) -> None:
    answers = [0.0] * 10
    answers[3] = value  # item 4, reversed
    assert score("pss10", answers)["scores"]["total"] == 12 + scored


def test_pss10_range_is_0_to_40() -> None:
    low = [4.0 if i in PSS10_REVERSED else 0.0 for i in range(10)]
    high = [0.0 if i in PSS10_REVERSED else 4.0 for i in range(10)]
    assert score("pss10", low)["scores"]["total"] == 0
    assert score("pss10", high)["scores"]["total"] == 40


def test_pss10_incomplete_form_is_not_scored() -> None:
    assert score("pss10", [0] * 9 + [None])["scores"]["total"] is None


# CBI: Kristensen TS et al. Work & Stress 2005;19:192-207. Scales = mean of answered items;
# work item 7 reverse-scored (100 - value); personal >= 3, work >= 4, students >= 3 answered.
Answers = Sequence[float | None]


def cbi(personal: Answers, work: Answers, students: Answers) -> dict[str, Any]:
    return score("cbi", [*personal, *work, *students])


def test_cbi_scales_are_means_and_work_item_7_is_reversed_kristensen_2005() -> None:
    out = cbi([100] * 6, [0] * 6 + [0], [50] * 6)
    assert out["scores"]["personal"] == 100
    assert out["scores"]["work"] == pytest.approx(100 / 7, abs=1e-12)
    assert out["scores"]["students"] == 50
    assert cbi([0] * 6, [0] * 6 + [100], [0] * 6)["scores"]["work"] == 0


@pytest.mark.parametrize("value", [0, 25, 50, 75, 100])
def test_cbi_work_item_7_scores_100_minus_value(value: int) -> None:
    out = cbi([0] * 6, [None] * 3 + [100, 100, 100, value], [0] * 6)
    assert out["scores"]["work"] == pytest.approx((300 + 100 - value) / 4, abs=1e-12)


@pytest.mark.parametrize(
    ("scale", "n_items", "minimum"), [("personal", 6, 3), ("work", 7, 4), ("students", 6, 3)]
)
def test_cbi_minimum_answered_items_per_scale(scale: str, n_items: int, minimum: int) -> None:
    def answers(answered: int) -> dict[str, Any]:
        part: list[float | None] = [75.0] * answered + [None] * (n_items - answered)
        scales: dict[str, Answers] = {
            "personal": [25.0] * 6,
            "work": [25.0] * 7,
            "students": [25.0] * 6,
        }
        scales[scale] = part
        return cbi(scales["personal"], scales["work"], scales["students"])

    enough, short = answers(minimum), answers(minimum - 1)
    assert enough["scores"][scale] == 75.0
    assert "prorated" in enough["flags"] and enough["risk"] == "low"
    assert short["scores"][scale] is None
    assert "incomplete" in short["flags"] and short["risk"] is None


def test_cbi_means_are_not_rounded() -> None:
    out = cbi([100, 100, 75, None, None, None], [0] * 7, [0] * 6)
    assert out["scores"]["personal"] == pytest.approx(275 / 3, abs=1e-12)
    assert out["band"] is None
    assert out["bands"] == {"personal": None, "work": None, "students": None}


def test_an_unanswered_form_is_incomplete_with_no_level() -> None:
    out = score("gad7", [NAN] * 7)
    assert out["flags"] == ["incomplete"] and out["risk"] is None
