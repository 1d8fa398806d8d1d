"""Trends by dimension: each group's published share per band, release by release (pure).

Each wave's release stands on its own, so a trend compares releases, never live counts: an
earlier wave's value is copied from its frozen document exactly as it was published (a share,
a coded share such as "< 1%", or the count's mark "< 10" / "x" / "—" where no share was shown),
and this release's value is its own already-protected cell. Nothing here touches a row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from reports.tables import Table

# A group or band an earlier release did not have at all (another district list, another battery).
ABSENT = "·"
NOTE = (
    "各次发布原样公开的占比；无占比处为该次发布的计数标记（“< k”、“x”、“—”），“·”为该次发布无此组。"
    " Each release's share as it published it; where it showed no share, its count mark"
    " (“< k”, “x”, “—”); “·” where that release had no such group."
)


def published_value(table: Mapping[str, Any], group: str, band: str) -> str:
    """The cell of ``group`` × ``band`` in a published band table, as it was published."""
    columns = [str(c) for c in table["columns"]]
    if band not in columns or f"{band} %" not in columns:
        return ABSENT
    for row in table["rows"]:
        if str(row[0]) == group:
            share = str(row[columns.index(f"{band} %")]).split(" (")[0]
            return share or str(row[columns.index(band)])
    return ABSENT


def _band_tables(document: Mapping[str, Any]) -> dict[tuple[str, str], Mapping[str, Any]]:
    out = {}
    for t in document.get("tables", []):
        extra = t.get("extra") or {}
        if t.get("kind") == "bands":
            out[(str(extra.get("scale")), str(extra.get("dimension")))] = t
    return out


def dimension_trends(
    earlier: Sequence[tuple[str, Mapping[str, Any]]], name: str, tables: Sequence[Table]
) -> list[dict[str, object]]:
    """For each band table of this release, its groups × bands across earlier releases and this.

    ``earlier`` holds (wave name, frozen document) in release order.
    """
    before = [(n, _band_tables(doc)) for n, doc in earlier]
    out = []
    for table in tables:
        if table.kind != "bands":
            continue
        key = (str(table.extra["scale"]), str(table.extra["dimension"]))
        current = asdict(table)
        bands = table.columns[2:-1:2]
        rows = []
        for row in table.rows:
            group = row[0]
            for band in bands:
                old = [published_value(t[key], group, band) if key in t else ABSENT
                       for _n, t in before]  # fmt: skip
                rows.append([group, band, *old, published_value(current, group, band)])
        columns = ["", "分段 Band", *(n for n, _t in before), name]
        title = f"趋势 Trend · {table.title}"
        out.append(asdict(Table(title, columns, rows, NOTE, "trend", dict(table.extra))))
    return out
