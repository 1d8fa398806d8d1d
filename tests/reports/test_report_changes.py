"""The summary's changes since the last release, and the trends by dimension in their compact
shape: read from published strings, nothing lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from reports.changes import changes_table
from reports.models import ReportRelease
from reports.sections import report_sections
from reports.tables import Table
from reports.trends import dimension_trends

NOW = dt.datetime(2026, 12, 20, 8, 0, tzinfo=dt.UTC)
COLUMNS = ["", "n", "低 Low", "低 Low %", "高 High", "高 High %", "均值 Mean"]


def bands(rows: list[list[str]], dimension: str = "district") -> Table:
    return Table(f"K10 总分 Total · {dimension}", COLUMNS, rows, kind="bands",
                 extra={"scale": "k10.total", "dimension": dimension})  # fmt: skip


BEFORE = bands([
    ["东区", "200", "150", "75.0% (68.6%–80.5%)", "50", "25.0% (19.5%–31.4%)", "20.0"],
    ["西区", "200", "120", "60.0% (53.1%–66.5%)", "80", "40.0% (33.5%–46.9%)", "22.0"],
    ["全市 City", "400", "270", "67.5% (62.8%–71.9%)", "130", "32.5% (28.1%–37.2%)", "21.0"],
])  # fmt: skip
AFTER = bands([
    # East: 25% → 45%, intervals apart. West: 40% → 44%, intervals overlap.
    ["东区", "200", "110", "55.0% (48.1%–61.7%)", "90", "45.0% (38.3%–51.9%)", "23.0"],
    ["西区", "200", "112", "56.0% (49.1%–62.7%)", "88", "44.0% (37.3%–50.9%)", "22.5"],
    ["全市 City", "400", "222", "55.5% (50.6%–60.3%)", "178", "44.5% (39.7%–49.4%)", "22.8"],
])  # fmt: skip


def test_only_moves_whose_intervals_do_not_overlap_are_listed_largest_first() -> None:
    table = changes_table([("W1", {"tables": [asdict(BEFORE)]})], [AFTER])
    assert table.columns[2] == "上次 Last release · W1"
    # One row per table and group (the low band's fall is the high band's rise).
    assert table.rows == [
        ["东区 · K10 总分 Total", "低 Low", "75.0%", "55.0%", "↓ 20.0 pp"],
        ["全市 City · K10 总分 Total", "低 Low", "67.5%", "55.5%", "↓ 12.0 pp"],
    ]


def test_a_first_release_says_there_is_nothing_to_compare() -> None:
    table = changes_table([], [AFTER])
    assert table.rows == [["无 None", "", "", "", ""]] and "first release" in table.note


def _release(document: dict[str, object]) -> ReportRelease:
    return ReportRelease(id=1, wave_id=1, k=10, built_at=NOW, document=document, charts={})


def test_trends_by_dimension_keep_every_published_cell_in_fewer_lines() -> None:
    stored = dimension_trends([("W1", {"tables": [asdict(BEFORE)]})], "W2", [AFTER])
    trend = {"waves": ["W1", "W2"], "series": {}, "dimensions": stored}
    sections = report_sections(_release({"tables": [asdict(AFTER)], "trend": trend}))
    [shown] = [t for s in sections if s.heading.startswith("趋势（按维度）") for t in s.tables]
    assert len(shown.rows) == 3 < len(stored[0]["rows"])  # type: ignore[arg-type]
    for group, band, *values in stored[0]["rows"]:  # type: ignore[attr-defined]
        row = next(r for r in shown.rows if r[0] == group)
        for wave, value in zip(("W1", "W2"), values, strict=True):
            assert row[shown.columns.index(f"{band} · {wave}")] == value


def test_with_one_release_the_trends_that_repeat_its_own_shares_are_left_out() -> None:
    stored = dimension_trends([], "W1", [BEFORE])
    rows: list[list[str]] = stored[0]["rows"]  # type: ignore[assignment]
    assert [row[-1] for row in rows][:2] == ["75.0%", "25.0%"]
    trend = {"waves": ["W1"], "series": {"k10.total": {}}, "dimensions": stored}
    sections = report_sections(_release({"tables": [asdict(BEFORE)], "trend": trend}))
    assert not [s for s in sections if s.heading.startswith("趋势")]
    assert sections[0].heading == "分段与均值 Bands and means (95% Wilson intervals)"
