"""The shipped instrument files hold the published facts (reference/instruments.md)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from instruments import UNVALIDATED, load_instruments
from instruments.attainable import attainable

INSTRUMENTS = load_instruments()


def test_the_six_census_instruments_are_shipped() -> None:
    assert set(INSTRUMENTS) == {"phq9", "gad7", "who5", "k10", "pss10", "cbi"}
    sizes = {i.id: i.n_items for i in INSTRUMENTS.values()}
    assert sizes == {"phq9": 9, "gad7": 7, "who5": 5, "k10": 10, "pss10": 10, "cbi": 19}


@pytest.mark.parametrize("iid", sorted(INSTRUMENTS))
def test_no_file_claims_a_validated_chinese_version_it_does_not_reproduce(iid: str) -> None:
    inst = INSTRUMENTS[iid]
    assert inst.translation_status == UNVALIDATED
    assert all(item.text.zh and item.text.en for item in inst.items)
    assert inst.licence and inst.citation and inst.version
    assert inst.recall_period.zh and inst.recall_period.en


# Option values as published: PHQ-9/GAD-7 0-3, WHO-5 0-5, K10 1-5, PSS-10 0-4, CBI 0-100 by 25.
OPTIONS = {
    "phq9": [0, 1, 2, 3], "gad7": [0, 1, 2, 3], "who5": [0, 1, 2, 3, 4, 5],
    "k10": [1, 2, 3, 4, 5], "pss10": [0, 1, 2, 3, 4], "cbi": [0, 25, 50, 75, 100],
}  # fmt: skip


@pytest.mark.parametrize("iid", sorted(OPTIONS))
def test_option_values_are_the_published_ones(iid: str) -> None:
    for item in INSTRUMENTS[iid].items:
        assert list(item.values) == [Fraction(v) for v in OPTIONS[iid]]


def test_reverse_keys_pss10_items_4_5_7_8_and_cbi_work_item_7_only() -> None:
    reversed_items = {it.id for i in INSTRUMENTS.values() for it in i.items if it.reverse}
    assert reversed_items == {"pss10_4", "pss10_5", "pss10_7", "pss10_8", "cbi_w7"}


def test_cbi_item_order_is_personal_work_students() -> None:
    cbi = INSTRUMENTS["cbi"]
    assert [cbi.items[i].id for i in cbi.score("work").items] == [f"cbi_w{n}" for n in range(1, 8)]
    assert [s.id for s in cbi.scores] == ["personal", "work", "students"]
    assert [s.missing.min_answered for s in cbi.scores] == [3, 4, 3]
    assert "students" in cbi.items[13].text.en and cbi.wording_changes


def test_loinc_codes_from_the_reference() -> None:
    phq9, gad7 = INSTRUMENTS["phq9"], INSTRUMENTS["gad7"]
    assert [i.loinc for i in phq9.items] == [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5",
        "44253-3", "44260-8",
    ]  # fmt: skip
    assert (phq9.loinc_panel, phq9.score("total").loinc) == ("44249-1", "44261-6")
    assert [o.loinc for o in phq9.items[0].options] == [
        "LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"
    ]  # fmt: skip
    assert [i.loinc for i in gad7.items] == [
        "69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"
    ]  # fmt: skip
    assert (gad7.loinc_panel, gad7.score("total").loinc) == ("69737-5", "70274-6")
    for iid in ("who5", "k10", "pss10", "cbi"):
        assert all(i.loinc is None for i in INSTRUMENTS[iid].items)


def test_only_phq9_item_9_is_a_safety_item() -> None:
    safety = {(i.id, i.items[j].id) for i in INSTRUMENTS.values() for j in i.safety_items}
    assert safety == {("phq9", "phq9_9")}


def test_test_retest_reliabilities_and_directions() -> None:
    rc = {i.id: i.reliable_change for i in INSTRUMENTS.values()}
    assert rc["k10"] is None and rc["cbi"] is None
    expected = {
        "phq9": ("total", 0.86, "higher"), "gad7": ("total", 0.856, "higher"),
        "who5": ("percentage", 0.803, "lower"), "pss10": ("total", 0.70, "higher"),
    }  # fmt: skip
    for iid, (score, r, worse) in expected.items():
        setting = rc[iid]
        assert setting is not None
        assert (setting.score, setting.r, setting.worse) == (score, r, worse)


def test_author_bands_only_where_the_authors_give_them() -> None:
    sources = {(i.id, b.score): b.source for i in INSTRUMENTS.values() for b in i.band_sets}
    assert sources == {
        ("phq9", "total"): "author", ("gad7", "total"): "author",
        ("who5", "percentage"): "author", ("k10", "total"): "author",
    }  # fmt: skip


RANGES = {
    ("phq9", "total"): (0, 27), ("gad7", "total"): (0, 21), ("who5", "raw"): (0, 25),
    ("who5", "percentage"): (0, 100), ("k10", "total"): (10, 50), ("pss10", "total"): (0, 40),
    ("cbi", "personal"): (0, 100), ("cbi", "work"): (0, 100), ("cbi", "students"): (0, 100),
}  # fmt: skip


@pytest.mark.parametrize(("key", "bounds"), RANGES.items(), ids=[f"{a}-{b}" for a, b in RANGES])
def test_attainable_score_ranges(key: tuple[str, str], bounds: tuple[int, int]) -> None:
    values = attainable(INSTRUMENTS[key[0]], key[1])
    assert (min(values), max(values)) == tuple(Fraction(b) for b in bounds)


def test_k10_prorated_totals_are_integers_and_pss10_reaches_every_total() -> None:
    assert all(v.denominator == 1 for v in attainable(INSTRUMENTS["k10"], "total"))
    assert attainable(INSTRUMENTS["pss10"], "total") == {Fraction(v) for v in range(41)}
