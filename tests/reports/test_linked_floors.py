"""The band tables of a release put floors under its follow-up counts, and the joint protection
keeps them: a hidden number of cases is not narrowed below k by the city's PHQ-9 bands.

The floors are derived here on their own from the published band table and the rule, pinned
against the published cut-off (Kroenke, Spitzer & Williams 2001: PHQ-9 15–19 moderately severe,
20–27 severe; the default policy opens a high case at total ≥ 15), and checked on the raw
population before the auditor uses them.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from alerts.models import OutreachState
from reports.floors import bands_at_least, least_count
from reports.scales import Scale, report_scales
from reports.service import build_release
from reports.tables import Table
from scoring import default_policy
from tests.support.factories.org import make_school
from tests.support.factories.releases import NOW, released_wave, respond_with_phq9
from tests.support.reports.auditor import published_ranges
from tests.support.reports.casework import RawCase, insert_case, insert_outreach, with_outreach
from tests.support.reports.linked import Floor, assert_jointly_safe

K = 5
C, H, M = "crisis", "high", "moderate"
PH, PC = "psychiatric_hospital", "psychological_clinic"
# PHQ-9 totals of 42 respondents (and 24 not scored: the outreach teachers' bare responses):
# the city row shows every band, 6 at 15–19 and 5 at 20–27, so at least 11 high cases.
TOTALS = [3] * 12 + [7] * 10 + [11] * 9 + [16] * 6 + [22] * 5
# PHQ-9 bands entirely inside "total >= 15" (high) and inside "total >= 10" (moderate or worse).
HIGH_BANDS, MODERATE_BANDS = (3, 4), (2, 3, 4)
# Found by a search with the floors left out of ``reports.linked``: 3 crisis and 8 high cases
# (the 11 respondents at 15 or more, some raised to crisis), each level's total hidden; with
# "crisis + high >= 11" the crisis total was pinned to 3..4. 12 more outreach only offered.
CASES = [
    RawCase(C, "acknowledged", False, False, None, "withdrawn", None),
    RawCase(C, "closed_acknowledged", True, False, PH, "in_care", "requested"),
    RawCase(C, "closed_new", False, False, None, "resolved", "taken_up"),
    RawCase(H, "acknowledged", True, True, None, "resolved", None),
    RawCase(H, "acknowledged", True, True, PH, None, "requested"),
    RawCase(H, "closed_contacted", True, False, PH, "resolved", None),
    RawCase(H, "closed_contacted", True, True, PC, "in_care", None),
    RawCase(H, "closed_new", True, True, None, None, "requested"),
    RawCase(H, "closed_referred", True, True, None, None, None),
    RawCase(H, "following_up", True, False, PH, "in_care", "taken_up"),
    RawCase(H, "new", True, False, None, "withdrawn", "requested"),
    RawCase(M, "acknowledged", False, True, PH, None, "taken_up"),
    RawCase(M, "closed_acknowledged", True, True, PH, "resolved", "requested"),
    RawCase(M, "closed_new", True, True, PC, "withdrawn", "taken_up"),
    RawCase(M, "contacted", False, False, PC, "resolved", "requested"),
    RawCase(M, "following_up", False, False, PC, None, "requested"),
    RawCase(M, "referred", False, False, None, "in_care", "taken_up"),
]
OFFERED = 12
CASES_ROW = {("state", C, "Total"): 1, ("state", H, "Total"): 1}
WITH_OUTREACH = {**CASES_ROW, ("outreach", "Total", "Total"): 1}


def reader_floor(table: Table, bands: tuple[int, ...], k: int) -> int:
    """What the city row of a published band table says at least of the count in ``bands``:
    each band's least value given the table's sums (a sum of least values is a valid floor)."""
    counts = [[row[1], *row[2:-1:2]] for row in table.rows]  # n, then each band's count
    shown = [[*row[1:], row[0]] for row in counts]  # as a table whose last column is the total
    ranges = published_ranges(shown, k)
    city = len(shown) - 1
    return sum(
        int(shown[city][b]) if shown[city][b].isdigit() else ranges[(city, b)][0] for b in bands
    )


def test_the_band_tables_floor_under_the_cases_does_not_pin_a_hidden_case_count(
    db_session: Session,
) -> None:
    wave = released_wave(db_session, {}, "F1")
    schools = [make_school(db_session, name=f"底数校{d}", district=f"底数区{d}") for d in "甲乙"]
    for i, total in enumerate(TOTALS):
        respond_with_phq9(db_session, wave, schools[i % 2], total)
    for case in CASES:
        insert_case(db_session, wave.id, schools[0], case)
    for _ in range(OFFERED):
        insert_outreach(db_session, wave.id, schools[0], OutreachState.OFFERED, None)
    db_session.flush()
    document = build_release(db_session, wave, NOW, K).document
    bands = [Table(**t) for t in document["tables"]]  # type: ignore[attr-defined]
    phq9 = next(t for t in bands if t.kind == "bands" and t.extra["scale"] == "phq9.total")
    high, moderate = (reader_floor(phq9, b, K) for b in (HIGH_BANDS, MODERATE_BANDS))
    assert high == 11  # the population shows what it was built to show
    floors: list[Floor] = [(CASES_ROW, high), (WITH_OUTREACH, moderate)]
    followup = [Table(**t) for t in document["followup"]]  # type: ignore[attr-defined]
    # Without the floor (checked first: the population exercises it), both level totals are
    # "< 5" and pinned to 4 by "their sum is at least 8"; with it, neither is.
    assert_jointly_safe(followup, with_outreach(CASES, OFFERED), K, floors)


@pytest.mark.parametrize(
    ("key", "high", "moderate"),
    [
        ("phq9.total", [3, 4], [2, 3, 4]),  # Kroenke 2001: 10–14, 15–19, 20–27
        ("gad7.total", [3], [2, 3]),  # Spitzer 2006: 10–14, 15–21
        ("k10.total", [3], [2, 3]),  # Andrews & Slade 2001: 22–29, 30–50
        ("who5.percentage", [], [0]),  # Topp 2015: percentage 0–28
        ("pss10.total", [], []),  # local bands, no score rule: nothing a reader can count
    ],
)
def test_only_bands_inside_a_rule_of_the_configured_policy_give_a_floor(
    key: str, high: list[int], moderate: list[int]
) -> None:
    scale = next(s for s in report_scales() if s.key == key)
    assert bands_at_least(scale, default_policy(), "high") == high
    assert bands_at_least(scale, default_policy(), "moderate") == moderate


def test_a_band_straddling_a_rule_edge_gives_no_floor() -> None:
    # 12–19 holds totals of 12 to 14, below "total >= 15": only 20 and up count.
    scale = Scale("phq9", "total", "PHQ-9", (0.0, 12.0, 20.0), ("a", "b", "c"), False)
    assert bands_at_least(scale, default_policy(), "high") == [2]


def test_a_reader_counts_shown_cells_exactly_a_suppressed_one_from_k_and_the_row_sum() -> None:
    scale = next(s for s in report_scales() if s.key == "phq9.total")
    columns = ["", "n", *[x for b in scale.labels for x in (b, f"{b} %")], "mean"]

    def row(name: str, n: str, *counts: str) -> list[str]:
        return [name, n, *[x for c in counts for x in (c, "")], ""]

    # One group: its row equals the city's. 15–19 is "x" (at least 5), 20–27 "< 5"; the
    # hidden pair sums to 40 - 30 = 10 and 20–27 is at most 4, so 15–19 and up is at least 10.
    cells = ("10", "10", "10", "x", "< 5")
    table = Table("t", columns, [row("g", "40", *cells), row("city", "40", *cells)], "",
                  "bands", {"scale": scale.key})  # fmt: skip
    assert least_count([table], scale, [3, 4], default_policy(), K) == 10
    assert least_count([table], scale, [4], default_policy(), K) == 0
