"""Risk levels from the default policy (DESIGN.md), written by numbers, with reasons."""

from __future__ import annotations

import numpy as np
import pytest

from scoring import (
    DEFAULT_POLICY_PATH,
    default_policy,
    describe_reasons,
    level_name,
    load_policy,
    score_battery,
)
from tests.support.scoring import N_ITEMS, phq9, score, with_total


def test_default_policy_is_read_from_config_by_path() -> None:
    assert DEFAULT_POLICY_PATH.name == "risk_policy.toml"
    assert DEFAULT_POLICY_PATH.parent.name == "config"
    assert default_policy().id == "default"


def test_item9_of_1_with_a_total_of_1_is_crisis() -> None:
    # Simon et al. 2013, Psychiatr Serv 64:1195: item 9 >= 1 needs same-day contact.
    out = score("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert out["scores"]["total"] == 1 and out["band"] == "minimal"
    assert out["risk"] == "crisis"
    assert "item9_positive" in out["flags"]
    assert out["reason_ids"] == ["phq9_item9_endorsed"]
    assert "item 9" in out["reasons"][0]


@pytest.mark.parametrize("value", [1, 2, 3])
def test_item9_positive_is_crisis_even_when_every_other_item_is_missing(value: int) -> None:
    out = score("phq9", [None] * 8 + [value])
    assert out["risk"] == "crisis"
    assert out["scores"]["total"] is None and out["band"] is None
    assert set(out["flags"]) == {"incomplete", "item9_positive"}


def test_item9_zero_is_not_a_safety_flag() -> None:
    out = score("phq9", phq9(3, 0))
    assert out["risk"] == "low" and "item9_positive" not in out["flags"]


def test_unanswered_item9_is_flagged_and_leaves_no_level() -> None:
    out = score("phq9", phq9(20, None))
    assert set(out["flags"]) == {"incomplete", "safety_item_unanswered"}
    assert out["risk"] is None and out["reasons"] == []


# PHQ-9 (Kroenke 2001), GAD-7 (Spitzer 2006), K10 (Andrews & Slade 2001): levels by numbers.
LEVELS = [
    ("phq9", 9, "low"), ("phq9", 10, "moderate"), ("phq9", 14, "moderate"),
    ("phq9", 15, "high"), ("phq9", 24, "high"),
    ("gad7", 9, "low"), ("gad7", 10, "moderate"), ("gad7", 14, "moderate"),
    ("gad7", 15, "high"), ("gad7", 21, "high"),
    ("k10", 21, "low"), ("k10", 22, "moderate"), ("k10", 29, "moderate"), ("k10", 30, "high"),
    ("k10", 50, "high"),
]  # fmt: skip


@pytest.mark.parametrize(("instrument", "total", "level"), LEVELS)
def test_levels_follow_the_policy_numbers_on_both_sides(
    instrument: str, total: int, level: str
) -> None:
    answers: list[float | None]
    if instrument == "phq9":
        answers = phq9(total, 0)
    elif instrument == "gad7":
        answers = list(with_total(total, N_ITEMS["gad7"], 3))
    else:
        answers = list(with_total(total, 10, 5, lo=1))
    out = score(instrument, answers)
    assert out["risk"] == level
    assert (out["reasons"] == []) == (level == "low")


def test_k10_band_high_is_risk_moderate_not_high() -> None:
    out = score("k10", with_total(25, 10, 5, lo=1))
    assert out["band"] == "high" and out["risk"] == "moderate"


@pytest.mark.parametrize(("raw", "level"), [(7, "moderate"), (8, "low"), (12, "low"), (13, "low")])
def test_who5_percentage_28_or_less_is_moderate_poor_alone_is_no_level(
    raw: int, level: str
) -> None:
    out = score("who5", with_total(raw, 5, 5))
    assert out["risk"] == level


def test_cbi_and_pss10_complete_forms_are_low_without_local_bands() -> None:
    assert score("pss10", [4] * 10)["risk"] == "low"
    assert score("cbi", [100] * 19)["risk"] == "low"


def battery_row(**answers: list[float]) -> np.ndarray:
    order = ("phq9", "gad7", "who5", "k10", "pss10", "cbi")
    defaults = {"phq9": [0.0] * 9, "gad7": [0.0] * 7, "who5": [5.0] * 5, "k10": [1.0] * 10,
                "pss10": [2.0] * 10, "cbi": [0.0] * 19}  # fmt: skip
    defaults.update(answers)
    return np.array([[v for iid in order for v in defaults[iid]]], dtype=np.float64)


BATTERY = ("phq9", "gad7", "who5", "k10", "pss10", "cbi")


def test_battery_level_is_the_highest_of_its_instruments() -> None:
    result = score_battery(BATTERY, battery_row(gad7=[3.0] * 5 + [0.0] * 2))
    assert level_name(result.level[0]) == "high"
    assert level_name(result.instruments["phq9"].level[0]) == "low"
    assert describe_reasons(result.reasons[0], "en") == [
        "GAD-7 total 15 or more (severe anxiety symptoms)."
    ]


def test_battery_of_all_low_is_low() -> None:
    assert level_name(score_battery(BATTERY, battery_row()).level[0]) == "low"


def test_battery_with_an_incomplete_instrument_is_never_low() -> None:
    row = battery_row(pss10=[2.0] * 9 + [np.nan])
    assert level_name(score_battery(BATTERY, row).level[0]) is None
    row = battery_row(pss10=[2.0] * 9 + [np.nan], phq9=[3.0, 3, 3, 3, 0, 0, 0, 0, 0])
    assert level_name(score_battery(BATTERY, row).level[0]) == "moderate"


def test_battery_crisis_from_item9_while_rest_of_form_is_blank() -> None:
    row = np.full((1, 60), np.nan)
    row[0, 8] = 2
    result = score_battery(BATTERY, row)
    assert level_name(result.level[0]) == "crisis"
    assert result.has_safety_item


def test_battery_without_phq9_has_no_safety_item() -> None:
    result = score_battery(["gad7", "who5"], np.zeros((1, 12)))
    assert not result.has_safety_item


def test_reasons_read_in_chinese_for_psychologists() -> None:
    mask = 1 << next(r.index for r in default_policy().rules if r.id == "phq9_item9_endorsed")
    (text,) = describe_reasons(mask, "zh-CN")
    assert "第 9 题" in text


def test_describe_reasons_rejects_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="lang"):
        describe_reasons(1, "fr")


def test_policy_can_be_loaded_explicitly_and_has_distinct_bits() -> None:
    policy = load_policy(DEFAULT_POLICY_PATH)
    assert [r.index for r in policy.rules] == list(range(len(policy.rules)))
    assert {r.level for r in policy.rules} == {2, 3, 4}
