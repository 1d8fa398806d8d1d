"""What a release publishes, from its protected tables (pure: tables in, JSON and SVG out).

The service reads the wave and earlier releases; everything a reader then sees — the header
facts, the tables, the trend and the charts — is put together here from strings that are
already protected, so the page, the print page, both exports and the charts show the same cells.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any, TypedDict

from reports.build import city_count_text
from reports.charts import heatmap, trend_lines
from reports.tables import Table
from reports.trends import dimension_trends


class Trend(TypedDict):
    """Wave names in release order, each scale's city share per band and wave, and by dimension."""

    waves: list[str]
    series: dict[str, dict[str, list[float | None]]]
    dimensions: list[dict[str, object]]


def city_shares(table: Mapping[str, Any] | Table) -> dict[str, float | None]:
    """The city's published share per band of a band table; None where it showed no number."""
    t = table if isinstance(table, Table) else Table(**table)
    city = t.rows[-1]
    out: dict[str, float | None] = {}
    for c, band in enumerate(t.columns[2:-1:2]):
        head = city[3 + 2 * c].split(" (")[0]
        out[band] = float(head[:-1]) if head.endswith("%") and head[0].isdigit() else None
    return out


def _shares_in(document: Mapping[str, Any], key: str) -> dict[str, float | None]:
    for t in document.get("tables", []):
        if t.get("extra", {}).get("scale") == key and t["extra"].get("dimension") == "district":
            return city_shares(t)
    return {}


def trend_of(
    earlier: Sequence[tuple[str, Mapping[str, Any]]], name: str, tables: Sequence[Table]
) -> Trend:
    """City shares by band across earlier releases ((wave name, document), in release order) and
    this one, as each published them, and the same by dimension."""
    series: dict[str, dict[str, list[float | None]]] = {}
    current = {t.extra["scale"]: t for t in tables if t.extra.get("dimension") == "district"}
    for key, table in current.items():
        shares = [_shares_in(doc, str(key)) for _n, doc in earlier] + [city_shares(table)]
        series[str(key)] = {b: [s.get(b) for s in shares] for b in city_shares(table)}
    waves = [n for n, _doc in earlier] + [name]
    return Trend(waves=waves, series=series, dimensions=dimension_trends(earlier, name, tables))


def release_charts(tables: Sequence[Table], trend: Trend) -> dict[str, str]:
    """The release's SVG charts, drawn from its published strings only."""
    charts = {f"heatmap:{t.extra['scale']}": heatmap(t) for t in tables
              if t.kind == "bands" and t.extra.get("dimension") == "district"}  # fmt: skip
    for key, series in trend["series"].items():
        charts[f"trend:{key}"] = trend_lines(f"趋势 Trend · {key}", trend["waves"], series)
    return charts


def release_document(
    wave: Mapping[str, object],
    now: dt.datetime,
    k: int,
    respondents: int,
    tables: Sequence[Table],
    followup: Sequence[Table],
    trend: Trend,
    risk: Sequence[Table] = (),
    quality: Table | None = None,
    changes: Table | None = None,
) -> dict[str, object]:
    """The frozen document of a release (``wave`` holds its id and name).

    ``risk`` (teachers by risk level per dimension), ``quality`` (levels with and without
    flagged responses) and ``changes`` (clear moves since the last release) are keys a document
    may lack: a release frozen before they existed shows without them.
    """
    return {
        "wave": {"id": wave["id"], "name": wave["name"], "released_at": now.isoformat()},
        "k": k,
        "respondents": city_count_text(respondents, k),
        "tables": [asdict(t) for t in tables],
        "followup": [asdict(t) for t in followup],
        "trend": trend,
        "risk": [asdict(t) for t in risk],
        "quality": None if quality is None else asdict(quality),
        "changes": None if changes is None else asdict(changes),
    }
