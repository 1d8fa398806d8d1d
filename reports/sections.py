"""What a released report shows, in reading order: the one source of the page, CSV and XLSX.

Everything here is read from the frozen release document (already suppressed strings); nothing is
recomputed, so the page and both exports show exactly the same cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from alerts.labels import casework_label
from reports.models import ReportRelease
from reports.statistics import statistics_parts

# A trend point a release did not show as a number (top- or bottom-coded, or hidden).
NOT_SHOWN = "·"


@dataclass(frozen=True)
class Shown:
    """One published table: its title, note, header and rows of strings, and its chart (if any)."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""
    chart: str = ""


@dataclass(frozen=True)
class Section:
    """A heading and its tables; ``corner`` names what the rows are, for the empty top-left
    header cell (the page gives it to screen readers only)."""

    heading: str
    tables: list[Shown] = field(default_factory=list)
    corner: str = "分组 Group"


def _shown(table: dict[str, Any], chart: str = "") -> Shown:
    return Shown(
        title=str(table["title"]),
        columns=[str(c) for c in table["columns"]],
        rows=[[str(x) for x in row] for row in table["rows"]],
        note=str(table.get("note") or ""),
        chart=chart,
    )


def _in_words(table: Shown) -> Shown:
    """A follow-up table with its levels, states, referral types and outcomes as the case pages
    name them (the release stores their codes)."""
    return replace(
        table,
        columns=[casework_label(c) for c in table.columns],
        rows=[[casework_label(row[0]), *row[1:]] if row else row for row in table.rows],
    )


def _chart_of(table: dict[str, Any]) -> str:
    extra = table.get("extra") or {}
    if table.get("kind") == "bands" and extra.get("dimension") == "district":
        return f"heatmap:{extra.get('scale')}"
    return ""


def _trend_tables(trend: dict[str, Any]) -> list[Shown]:
    waves = [str(w) for w in trend.get("waves", [])]
    out = []
    for key, series in trend.get("series", {}).items():
        rows = [
            [str(band), *(NOT_SHOWN if v is None else f"{float(v):.1f}%" for v in values)]
            for band, values in series.items()
        ]
        note = f"全市各分段占比；“{NOT_SHOWN}”为该次发布未以数字公开 City share per band; "
        note += f"“{NOT_SHOWN}” where a release did not show it as a number"
        out.append(Shown(f"趋势 Trend · {key}", ["", *waves], rows, note, f"trend:{key}"))
    return out


def report_sections(release: ReportRelease) -> list[Section]:
    """The report's sections, as the page and the exports show them."""
    doc: dict[str, Any] = release.document
    tables: list[dict[str, Any]] = list(doc.get("tables", []))
    participation = [_shown(t) for t in tables if t.get("kind") != "bands"]
    bands = [_shown(t, _chart_of(t)) for t in tables if t.get("kind") == "bands"]
    followup = [_in_words(_shown(t)) for t in doc.get("followup", [])]
    return [
        Section("参与情况 Participation", participation),
        Section("分段与均值 Bands and means (95% Wilson intervals)", bands),
        Section("随访汇总 Follow-up in aggregate", followup, "级别 Level"),
        Section(
            "趋势 Trends across released waves", _trend_tables(doc.get("trend", {})), "分段 Band"
        ),
        Section(
            "趋势（按维度）Trends by dimension, as each release published them",
            [_shown(t) for t in doc.get("trend", {}).get("dimensions", [])],
        ),
        *[Section(head, [_shown(t) for t in ts], c) for head, ts, c in statistics_parts(doc)],
    ]


def summary(release: ReportRelease) -> list[tuple[str, str]]:
    """The report's header facts (wave, release time, k, respondents)."""
    doc: dict[str, Any] = release.document
    wave = doc.get("wave", {})
    return [
        ("批次 Wave", str(wave.get("name", ""))),
        ("发布时间 Released", str(wave.get("released_at", ""))[:16].replace("T", " ")),
        ("最小组 Minimum group size k", str(doc.get("k", release.k))),
        ("作答人数 Respondents", str(doc.get("respondents", ""))),
    ]
