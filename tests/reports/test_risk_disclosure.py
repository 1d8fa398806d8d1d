"""The risk-level tables and the table with and without flagged responses, under the release's
disclosure control (protection.md test 24), judged by the independent auditor.

Releases of every kind of size are built by the code that builds real ones (``reports.build``,
``reports.risk``, ``reports.document``), read back from the page body, the CSV and the XLSX by
``tests.support.reports.published``, and checked by ``tests.support.reports.release_audit``,
whose linear-programming auditor now bounds every hidden count of the level tables too.
"""

from __future__ import annotations

import numpy as np
import pytest

from reports.build import Microdata, build_tables, shown_of
from reports.changes import changes_table
from reports.document import release_charts, release_document, trend_of
from reports.floors import case_floors
from reports.models import ReportRelease
from reports.risk import LEVEL_LABELS, quality_table, risk_tables
from scoring import default_policy
from tests.reports.test_small_populations import CONSENTED, DIMENSIONS, INVITED, NOW, every_format
from tests.support.reports.auditor import published_ranges
from tests.support.reports.release_audit import assert_release_keeps_every_promise, is_level_table

K = 10
QUALITY = "风险等级（含与不含质量标记作答）Risk levels with and without flagged responses"


def microdata(n: int, seed: int, flagged_share: float | None) -> Microdata:
    """``n`` respondents in random groups, levels skewed to low, some flagged."""
    rng = np.random.default_rng(seed)
    codes = {d.id: rng.integers(0, len(d.labels), n).astype(np.int64) for d in DIMENSIONS}
    levels = rng.choice(5, size=n, p=[0.05, 0.1, 0.2, 0.55, 0.1]).astype(np.int64)
    flagged = None if flagged_share is None else rng.random(n) < flagged_share
    phq9 = rng.integers(0, 28, n).astype(np.float64)
    return Microdata(DIMENSIONS, codes, {"phq9.total": phq9}, INVITED, CONSENTED, levels, flagged)


def release_of(data: Microdata, n: int, k: int = K) -> ReportRelease:
    """A release put together as ``reports.service.build_release`` does (no follow-up rows)."""
    shown = shown_of(data, k)
    tables, risk = build_tables(data, k, shown), risk_tables(data, k, shown)
    trend = trend_of([], "风险批次 W", tables)
    document = release_document({"id": 1, "name": "风险批次 W"}, NOW, k, n, tables, [], trend,
                                risk, quality_table(data, k), changes_table([], risk))  # fmt: skip
    return ReportRelease(id=1, wave_id=1, k=k, built_at=NOW, document=document,
                         charts=release_charts(tables, trend))  # fmt: skip


@pytest.mark.parametrize(("n", "seed"), [(0, 0), (4, 1), (9, 2), (13, 3), (27, 4), (60, 5),
                                         (240, 6)])  # fmt: skip
def test_risk_level_tables_show_no_small_figure_in_any_format(n: int, seed: int) -> None:
    formats, charts = every_format(release_of(microdata(n, seed, 0.2), n))
    assert_release_keeps_every_promise(formats, charts, K, n)
    for name, report in formats.items():
        levels = [t for t in report.tables if is_level_table(t)]
        # One per dimension, and the table with and without flagged responses.
        assert len(levels) == len(DIMENSIONS) + 1, name
        assert [t.title for t in levels][-1] == QUALITY


def test_a_large_release_shows_the_true_city_counts_per_level() -> None:
    data = microdata(900, 6, 0.3)
    assert data.levels is not None and data.flagged is not None
    formats, _charts = every_format(release_of(data, 900))
    truth = np.bincount(data.levels, minlength=5)
    kept = np.bincount(data.levels[~data.flagged], minlength=5)
    for name, report in formats.items():
        [district] = [t for t in report.tables if t.title.endswith("· 区 District")
                      and is_level_table(t)]  # fmt: skip
        city = district.rows[-1]
        assert city[0] == "全市 City" and city[1] == "900", name
        assert [int(x) for x in city[2::2]] == truth.tolist(), name
        assert district.columns[2::2] == list(LEVEL_LABELS)
        [quality] = [t for t in report.tables if t.title == QUALITY]
        assert [row[0] for row in quality.rows][-1] == "全市 City"
        shown = [(x, int(v)) for x, v in zip(quality.rows[0][2::2], kept, strict=True)
                 if x.isdigit()]  # fmt: skip
        assert len(shown) >= 3 and all(int(x) == v for x, v in shown), (name, quality.rows)
        assert quality.rows[-1] == city, name


def test_too_few_flagged_hides_the_excluding_row_rather_than_give_the_flagged_away() -> None:
    # Three flagged of 120: "excluding flagged" would be the city less three people.
    data = microdata(120, 8, None)
    flagged = np.zeros(120, bool)
    flagged[:3] = True
    data = Microdata(data.dimensions, data.codes, data.scores, data.invited, data.consented,
                     data.levels, flagged)  # fmt: skip
    formats, charts = every_format(release_of(data, 120))
    assert_release_keeps_every_promise(formats, charts, K, 120)
    [quality] = [t for t in formats["csv"].tables if t.title == QUALITY]
    excluding, only, _city = quality.rows
    assert not any(x.isdigit() for x in [*excluding[1:], *only[1:]])
    ranges = published_ranges([[*row[2::2], row[1]] for row in quality.rows], K)
    assert all(hi - lo + 1 >= K for lo, hi in ranges.values())


def test_a_wave_without_a_quality_assessment_has_no_flag_table() -> None:
    formats, _charts = every_format(release_of(microdata(60, 5, None), 60))
    assert all(QUALITY not in [t.title for t in r.tables] for r in formats.values())


def test_the_risk_levels_put_their_floor_under_the_follow_up_counts() -> None:
    # A respondent at high or crisis got a case, a moderate one an outreach: the follow-up
    # tables are protected knowing at least this many (``reports.linked``).
    data = microdata(900, 6, None)
    assert data.levels is not None
    risk = risk_tables(data, K, shown_of(data, K))
    floors = case_floors([], default_policy(), K, risk)
    truth = np.bincount(data.levels, minlength=5)
    assert floors.high == truth[0] + truth[1] and floors.moderate == truth[:3].sum()
