"""Every chart label is drawn whole and inside its chart: band names, group names, wave names.

The labels are read back from the SVG (a label's lines are its ``<tspan>``s, joined by a space)
and compared with the full text of the table they come from; each label's extent, estimated
generously here (a full em for a CJK character, 0.62 em for any other, as wide as most
sans-serif faces draw them), lies within the chart's ``viewBox``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from html import unescape

import pytest

from reports.charts import heatmap, trend_lines
from reports.dimensions import fixed_dimensions
from reports.scales import report_scales
from reports.tables import CITY, Table

FONT = 11.0


def width(text: str) -> float:
    """A generous width of ``text`` at 11 px."""
    return sum(FONT if unicodedata.east_asian_width(ch) in "WF" else 0.62 * FONT for ch in text)


def labels(svg: str) -> list[tuple[float, str, str, list[str]]]:
    """Every ``<text>``: its x, anchor, whole text and its lines."""
    out = []
    for attrs, body in re.findall(r"<text ([^>]*)>(.*?)</text>", svg):
        x = float(re.search(r'\bx="([\d.]+)"', attrs)[1])  # type: ignore[index]
        anchor = re.search(r'text-anchor="(\w+)"', attrs)
        spans = [unescape(t) for t in re.findall(r"<tspan[^>]*>([^<]*)</tspan>", body)]
        lines = spans or [unescape(body)]
        out.append((x, anchor[1] if anchor else "start", " ".join(lines), lines))
    return out


def view_width(svg: str) -> float:
    return float(re.search(r'viewBox="0 0 ([\d.]+) ', svg)[1])  # type: ignore[index]


def assert_inside(svg: str) -> None:
    limit = view_width(svg)
    for x, anchor, _text, lines in labels(svg):
        for line in lines:
            left = x - width(line) / 2 if anchor == "middle" else x
            right = left + width(line)
            assert left >= 0 and right <= limit, (line, left, right, limit)


def band_table(bands: tuple[str, ...], groups: tuple[str, ...]) -> Table:
    cells = [x for _b in bands for x in ("25", "25.0% (20.0%–31.0%)")]
    rows = [[g, "100", *cells, "12.0"] for g in (*groups, CITY)]
    columns = ["", "n", *[x for b in bands for x in (b, f"{b} %")], "均值 Mean"]
    return Table("图 Chart", columns, rows, kind="bands")


@pytest.mark.parametrize("scale", report_scales(), ids=lambda s: s.key)
@pytest.mark.parametrize(
    "dimension", fixed_dimensions(("演示东区", "演示西区")), ids=lambda d: d.id
)
def test_every_band_and_group_name_is_drawn_whole_in_the_heat_map(scale, dimension) -> None:  # type: ignore[no-untyped-def]
    svg = heatmap(band_table(scale.labels, dimension.labels))
    texts = [text for _x, _a, text, _lines in labels(svg)]
    for label in (*scale.labels, *dimension.labels, CITY):
        assert label in texts, (label, texts)
    assert_inside(svg)


def test_the_burnout_band_is_no_longer_cut_to_its_first_fourteen_characters() -> None:
    stem = "数理科技 Mathematics, science and technology"
    svg = heatmap(band_table(("< 50", "≥ 50 倦怠 Burnout"), (stem,)))
    texts = [text for _x, _a, text, _lines in labels(svg)]
    assert "≥ 50 倦怠 Burnout" in texts and "≥ 50 倦怠 Burnou" not in texts
    assert stem in texts
    assert_inside(svg)


def test_trend_waves_and_bands_are_drawn_whole() -> None:
    waves = [
        "2025 年春季学期教师心理健康普查 Spring 2025",
        "2025 秋 Autumn",
        "2026 年春季 Spring 2026",
    ]
    bands = {label: [10.0, None, 30.0] for label in report_scales()[0].labels}
    svg = trend_lines("趋势 Trend · phq9.total", waves, bands)
    texts = [text for _x, _a, text, _lines in labels(svg)]
    for label in (*waves, *bands):
        assert label in texts, label
    assert_inside(svg)
    # Neighbouring wave names do not run into each other.
    centres = sorted(x for x, anchor, _t, _l in labels(svg) if anchor == "middle")
    gaps = [b - a for a, b in itertools.pairwise(centres)]
    assert min(gaps) >= max(width(w) for w in waves)
