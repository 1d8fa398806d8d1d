"""What a released report shows, in reading order: the one source of the page, CSV and XLSX.

Everything here is read from the frozen release document (already suppressed strings); nothing is
recomputed, so the page and both exports show exactly the same cells.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from alerts.labels import casework_label
from reports.models import ReportRelease
from reports.order import clinical_rank
from reports.statistics import statistics_parts
from reports.summary import summary_tables

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
    # A class for the page's layout (the summary's tables sit side by side on a wide screen).
    css: str = ""


# Sections of further statistics read from the frozen document (reliability of the scales,
# adjusted odds ratios, each district's movement): the page and the exports show them after the
# summary and the risk levels and before the participation and per-instrument detail. Each takes
# the document and returns its sections, none for a document without its part.
def _statistics(doc: Mapping[str, Any]) -> list[Section]:
    """Reliability, adjusted odds and district change, as the release froze them."""
    return [Section(head, [_shown(t) for t in ts], c) for head, ts, c in statistics_parts(doc)]


ANALYSIS_SECTIONS: tuple[Callable[[Mapping[str, Any]], list[Section]], ...] = (_statistics,)


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


def _scale_rank(key: object) -> int:
    """Clinical position of a table's scale key such as ``phq9.total``."""
    return clinical_rank(str(key).split(".")[0])


def _trend_tables(trend: dict[str, Any]) -> list[Shown]:
    waves = [str(w) for w in trend.get("waves", [])]
    out = []
    series = trend.get("series", {})
    for key in sorted(series, key=_scale_rank):
        rows = [
            [str(band), *(NOT_SHOWN if v is None else f"{float(v):.1f}%" for v in values)]
            for band, values in series[key].items()
        ]
        note = f"全市各分段占比；“{NOT_SHOWN}”为该次发布未以数字公开 City share per band; "
        note += f"“{NOT_SHOWN}” where a release did not show it as a number"
        out.append(Shown(f"趋势 Trend · {key}", ["", *waves], rows, note, f"trend:{key}"))
    return out


def _wide(table: dict[str, Any]) -> Shown:
    """A stored trend by dimension (a row per group and band, a column per wave) with a row per
    group and a column per band and wave: the same cells in a fraction of the lines."""
    waves = [str(w) for w in table["columns"][2:]]
    groups: dict[str, dict[str, list[str]]] = {}
    for group, band, *values in table["rows"]:
        groups.setdefault(str(group), {})[str(band)] = [str(v) for v in values]
    bands = list(dict.fromkeys(str(row[1]) for row in table["rows"]))
    columns = ["", *(f"{band} · {wave}" for band in bands for wave in waves)]
    rows = [[group, *(x for band in bands for x in cells.get(band, [""] * len(waves)))]
            for group, cells in groups.items()]  # fmt: skip
    return Shown(str(table["title"]), columns, rows, str(table.get("note") or ""))


def _detail(doc: Mapping[str, Any]) -> list[Section]:
    """Participation, the band tables in clinical order, follow-up and the trends."""
    tables: list[dict[str, Any]] = list(doc.get("tables", []))
    participation = [_shown(t) for t in tables if t.get("kind") != "bands"]
    band_tables = [t for t in tables if t.get("kind") == "bands"]
    band_tables.sort(key=lambda t: _scale_rank((t.get("extra") or {}).get("scale")))
    bands = [_shown(t, _chart_of(t)) for t in band_tables]
    followup = [_in_words(_shown(t)) for t in doc.get("followup", [])]
    trend = doc.get("trend", {})
    # With one release the trends repeat this release's own shares: shown only once there are
    # earlier releases to compare with.
    earlier = len(trend.get("waves", [])) > 1
    dims = sorted(trend.get("dimensions", []),
                  key=lambda t: _scale_rank((t.get("extra") or {}).get("scale")))  # fmt: skip
    return [
        Section("参与情况 Participation", participation),
        Section("分段与均值 Bands and means (95% Wilson intervals)", bands),
        Section("随访汇总 Follow-up in aggregate", followup, "级别 Level"),
        Section("趋势 Trends across released waves",
                _trend_tables(trend) if earlier else [], "分段 Band"),
        Section("趋势（按维度）Trends by dimension, as each release published them",
                [_wide(t) for t in dims] if earlier else []),
    ]  # fmt: skip


def report_sections(release: ReportRelease) -> list[Section]:
    """The report's sections in reading order, as the page and the exports show them: the
    summary, the risk levels, further statistics (``ANALYSIS_SECTIONS``), then the detail."""
    doc: dict[str, Any] = release.document
    summary_part = [_in_words(_shown(t)) for t in summary_tables(doc)]
    risk = [_shown(t) for t in doc.get("risk") or []]
    if doc.get("quality"):
        risk.append(_shown(doc["quality"]))
    analysis = [section for make in ANALYSIS_SECTIONS for section in make(doc)]
    sections = [
        Section("摘要 Summary", summary_part, "项目 Item", "report-summary"),
        Section("风险等级 Teachers by risk level", risk),
        *analysis,
        *_detail(doc),
    ]
    return [section for section in sections if section.tables]


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
