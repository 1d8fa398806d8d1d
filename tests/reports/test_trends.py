"""Trends by dimension copy each earlier release's cells exactly as it published them."""

from __future__ import annotations

from dataclasses import asdict

from reports.tables import Table
from reports.trends import ABSENT, dimension_trends, published_value


def _bands(rows: list[list[str]]) -> Table:
    columns = ["", "n", "低 Low", "低 Low %", "高 High", "高 High %", "均值 Mean"]
    return Table("K10 · 性别 Gender", columns, rows, kind="bands",
                 extra={"scale": "k10.total", "dimension": "gender"})  # fmt: skip


EARLIER = _bands([
    ["女 Female", "30", "21", "70.0% (52.1–83.3%)", "9", "", "20.1"],
    ["男 Male", "< 10", "< 10", "", "x", "", ""],
    ["全市 City", "38", "x", "", "x", "", "19.0"],
])  # fmt: skip
NOW = _bands([
    ["女 Female", "25", "15", "60.0% (40.7–76.6%)", "10", "40.0% (23.4–59.3%)", "21.0"],
    ["男 Male", "12", "11", "> 99%", "< 10", "", "18.2"],
    ["全市 City", "37", "26", "70.3% (54.2–82.5%)", "11", "29.7% (17.5–45.8%)", "20.0"],
])  # fmt: skip


def _rows() -> dict[tuple[str, str], list[str]]:
    [trend] = dimension_trends([("W1", {"tables": [asdict(EARLIER)]})], "W2", [NOW])
    assert trend["columns"] == ["", "分段 Band", "W1", "W2"]
    return {(r[0], r[1]): r[2:] for r in trend["rows"]}  # type: ignore[attr-defined]


def test_an_earlier_share_is_copied_as_published_and_this_release_shows_its_own() -> None:
    rows = _rows()
    assert rows[("女 Female", "低 Low")] == ["70.0%", "60.0%"]
    assert rows[("男 Male", "低 Low")] == ["< 10", "> 99%"]


def test_a_value_suppressed_in_an_earlier_release_stays_suppressed() -> None:
    rows = _rows()
    assert rows[("男 Male", "高 High")] == ["x", "< 10"]
    assert rows[("全市 City", "低 Low")] == ["x", "70.3%"]
    # Shown there as a count of 9 but with no share: the trend shows no share for it either.
    assert rows[("女 Female", "高 High")] == ["9", "40.0%"]


def test_a_group_or_band_a_release_did_not_have_is_marked_absent() -> None:
    assert published_value(asdict(EARLIER), "未填 Not recorded", "低 Low") == ABSENT
    assert published_value(asdict(EARLIER), "女 Female", "中 Mid") == ABSENT
    [trend] = dimension_trends([], "W2", [NOW])
    assert trend["columns"] == ["", "分段 Band", "W2"]
