"""The change in each district's high-or-crisis share never takes apart a row whose crisis or
high count the risk-level table per district hides (protection.md test 24), judged on the whole
release by the independent auditor (``tests.support.reports.joint``).
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from census.models import Wave
from demo.wave import synthetic_answers
from reports.district_change import district_change, prevalence_counts
from reports.service import build_release
from scoring.levels import RiskLevel
from tests.support.factories.org import make_school, make_teacher
from tests.support.factories.releases import NOW, released_wave, respond
from tests.support.reports.joint import assert_release_jointly_safe

K = 10
C, H, M, L = RiskLevel.CRISIS, RiskLevel.HIGH, RiskLevel.MODERATE, RiskLevel.LOW
# East: 3 at moderate (< k), so its row hides one more cell, the smallest of at least k: the
# crisis 12. Crisis + high = 24 and high = 12 would give the crisis count back, and the hidden
# moderate with it, though every count behind the share itself is at least k. (None: not
# assessed; enough of them everywhere that the city row shows every count.)
EAST = {C: 12, H: 12, M: 3, L: 30, None: 20}
WEST = {C: 15, H: 15, M: 20, L: 30, None: 20}


def _wave(session: Session, name: str, districts: dict[str, dict[RiskLevel | None, int]]) -> Wave:
    """A released wave whose respondents were stored at these levels (no cases: the levels are
    set here, so no respondent count is capped by a case count)."""
    wave = released_wave(session, {}, name)
    rng = random.Random(name)
    for district, levels in districts.items():
        school = make_school(session, name=f"{district}{name}校", district=district)
        for level, count in levels.items():
            for _ in range(count):
                teacher = make_teacher(session, school, gender=rng.choice("FM"))
                response = respond(session, wave, teacher, synthetic_answers(rng, wave.battery))
                response.risk_level = level
    session.flush()
    return wave


def test_a_district_whose_risk_row_hides_a_cell_shows_no_share(db_session: Session) -> None:
    wave = _wave(db_session, "变化 W1", {"变化东区": EAST, "变化西区": WEST, "变化北区": WEST})
    document: dict[str, Any] = build_release(db_session, wave, NOW, K).document
    # The auditor first: it does not rely on the change table's row being empty.
    assert_release_jointly_safe(document, K, None)
    district = next(t for t in document["risk"] if t["extra"]["dimension"] == "district")
    east = next(row for row in district["rows"] if row[0] == "变化东区")
    assert not east[2].isdigit(), east  # the crisis count is hidden to protect the moderate
    rows = {row[0]: row for row in document["district_change"]["table"]["rows"]}
    assert rows["变化东区"][3:5] == ["—", "—"]
    # The city's row shows its n, crisis and high counts: its share adds nothing, and is shown.
    assert rows["全市 City"][3:5] == ["277", f"{100 * 84 / 277:.1f}%"]
    assert "变化东区" not in document["district_change"]["published"]


def _counts(*parts: tuple[int, str]) -> np.ndarray:
    levels = [level for count, level in parts for _ in range(count)]
    return prevalence_counts(np.zeros(len(levels), np.int64), levels, 1)


def test_the_earlier_share_is_shown_only_if_its_release_showed_the_counts_behind_it() -> None:
    counts = _counts((20, "crisis"), (20, "high"), (60, "low"))
    earlier = ("W1", {"一区": [90, 30], "全市 City": [90, 30]})
    shown = np.array([True])
    full = district_change(["一区"], counts, shown, K, "W2", earlier, {"一区"}, {"一区"})
    part = district_change(["一区"], counts, shown, K, "W2", earlier, {"一区"}, set())
    assert full["table"]["rows"][0][1:3] == ["90", "33.3%"]
    assert full["table"]["rows"][0][5] == "+6.7"
    # The earlier release hid the row's crisis or high count: its share is not repeated, nor
    # compared with.
    assert part["table"]["rows"][0][1:] == ["—", "—", "100", "40.0%", "—", "—"]
