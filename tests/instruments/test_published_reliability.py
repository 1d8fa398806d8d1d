"""Published alphas in the instrument files: each pinned to its source, and checked by the loader.

Each row says where in its source the figure stands (quoted where the wording was checked), so a
reviewer can check the file against the paper without running anything.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from instruments import INSTRUMENTS_DIR, SchemaError, instruments_by_id, load_instrument

PUBLISHED = [
    # Kroenke 2001, abstract: "The internal reliability of the PHQ-9 was excellent, with a
    # Cronbach's alpha of 0.89 in the PHQ Primary Care Study and 0.86 in the PHQ Ob-Gyn Study."
    ("phq9", "total", 0.89, "J Gen Intern Med. 2001;16(9):606-613"),
    # Spitzer 2006, results: internal consistency of the GAD-7, Cronbach alpha .92.
    ("gad7", "total", 0.92, "Arch Intern Med. 2006;166(10):1092-1097"),
    # Yang 2023, abstract: "The WHO-5-C also had good internal consistency (Cronbach's
    # alpha = 0.907-0.934; McDonald's omega = 0.908-0.935)"; the lower figure is pinned.
    ("who5", "raw", 0.907, "doi:10.2147/PRBM.S437219"),
    # Wang 2025, abstract: "The internal consistency of the K10 was alpha = 0.952" (n = 8602).
    ("k10", "total", 0.952, "doi:10.1016/j.genhosppsych.2025.02.017"),
    # Lu 2017, abstract: "The internal consistency reliability, as measured by Cronbach's
    # alpha, was 0.85." (1096 university students)
    ("pss10", "total", 0.85, "PLoS One. 2017;12(12):e0189543"),
    # Kristensen 2005, internal reliability of the three scales: personal 0.87, work-related
    # 0.87, client-related 0.85 (the students scale here is the client-related one, reworded).
    ("cbi", "personal", 0.87, "Work & Stress. 2005;19(3):192-207"),
    ("cbi", "work", 0.87, "Work & Stress. 2005;19(3):192-207"),
    ("cbi", "students", 0.85, "Work & Stress. 2005;19(3):192-207"),
]


@pytest.mark.parametrize(("instrument", "score", "alpha", "source"), PUBLISHED)
def test_each_published_alpha_is_pinned_to_its_source(
    instrument: str, score: str, alpha: float, source: str
) -> None:
    entries = {p.score: p for p in instruments_by_id()[instrument].published_reliability}
    assert entries[score].alpha == alpha
    assert source in entries[score].source
    assert entries[score].sample


def test_every_item_score_of_every_instrument_has_a_published_alpha() -> None:
    pinned = {(i, s) for i, s, _a, _src in PUBLISHED}
    for inst in instruments_by_id().values():
        found = {(inst.id, p.score) for p in inst.published_reliability}
        assert found <= pinned
        assert {(inst.id, s.id) for s in inst.scores if s.derived_from is None} == found


def test_the_reworded_students_scale_says_its_alpha_is_of_the_client_scale() -> None:
    cbi = {p.score: p for p in instruments_by_id()["cbi"].published_reliability}
    assert "client-related" in cbi["students"].note and "students" in cbi["students"].note
    assert cbi["personal"].note == ""


PHQ9 = (INSTRUMENTS_DIR / "phq9.toml").read_text(encoding="utf-8")
WHO5 = (INSTRUMENTS_DIR / "who5.toml").read_text(encoding="utf-8")
BROKEN = [
    ("phq9", PHQ9.replace('score = "total"\nalpha = 0.89', 'score = "sum"\nalpha = 0.89'),
     "published_reliability[0].score", "must name a score computed from items of phq9"),
    ("phq9", PHQ9.replace("alpha = 0.89", "alpha = 1.2"),
     "published_reliability[0].alpha", "must be strictly between 0 and 1"),
    ("phq9", PHQ9.replace("alpha = 0.89", "alpha = 0.89\nalfa = 0.9"),
     "published_reliability[0].alfa", "is not a known field"),
    ("phq9", PHQ9 + '\n[[published_reliability]]\nscore = "total"\nalpha = 0.86\n'
     'sample = "Ob-Gyn"\nsource = "Kroenke 2001"\n',
     "published_reliability[1]", "duplicate id 'total'"),
    ("who5", WHO5.replace('score = "raw"\nalpha', 'score = "percentage"\nalpha'),
     "published_reliability[0].score", "not 'percentage'"),
]  # fmt: skip


@pytest.mark.parametrize(("iid", "text", "field", "message"), BROKEN)
def test_a_broken_published_alpha_is_rejected_naming_the_field(
    tmp_path: Path, iid: str, text: str, field: str, message: str
) -> None:
    path = tmp_path / f"{iid}.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError, match=re.escape(message)) as err:
        load_instrument(path)
    assert err.value.field == field
