"""Building a wave's release once, when it is released, and reading released reports.

Services take the session first and only flush. A release is frozen: it is built once (a second
call returns the stored one), so a teacher's later withdrawal leaves it as published, and each
later release is computed from its own wave's respondents alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from reports.build import build_tables, city_count_text
from reports.charts import heatmap, trend_lines
from reports.collect import load_microdata
from reports.floors import case_floors
from reports.followup import followup_tables
from reports.models import ReportRelease
from reports.tables import Table
from reports.trends import dimension_trends
from scoring import default_policy
from survey.models import Wave, WaveState


class NotReleased(LookupError):
    """The wave is not released (or has no report): nothing is shown while it is open."""


def release_of(session: Session, wave_id: int) -> ReportRelease | None:
    """The frozen release of a wave, if built."""
    return session.scalar(select(ReportRelease).where(ReportRelease.wave_id == wave_id))


def build_release(
    session: Session, wave: Wave, now: dt.datetime, k: int, cap: int = 15
) -> ReportRelease:
    """Compute and store the wave's release (once); refuses a wave that is not released."""
    if wave.state is not WaveState.RELEASED:
        raise NotReleased("only a released wave has a report")
    if k < 5:
        raise ValueError("the disclosure threshold k is never below 5")
    existing = release_of(session, wave.id)
    if existing is not None:
        return existing
    data = load_microdata(session, wave)
    # The band tables first: what they publish puts floors under the follow-up counts.
    tables = build_tables(data, k)
    floors = case_floors(tables, default_policy(), k)
    n = len(next(iter(data.codes.values()))) if data.codes else 0
    trend = _trend(session, wave, tables)
    charts = {f"heatmap:{t.extra['scale']}": heatmap(t) for t in tables
              if t.kind == "bands" and t.extra.get("dimension") == "district"}  # fmt: skip
    for key, series in trend["series"].items():
        charts[f"trend:{key}"] = trend_lines(f"趋势 Trend · {key}", trend["waves"], series)
    document = {
        "wave": {"id": wave.id, "name": wave.name, "released_at": now.isoformat()},
        "k": k,
        "respondents": city_count_text(n, k),
        "tables": [asdict(t) for t in tables],
        "followup": [asdict(t) for t in followup_tables(session, wave, k, cap, now, floors)],
        "trend": trend,
    }
    release = ReportRelease(wave_id=wave.id, k=k, built_at=now, document=document, charts=charts)
    session.add(release)
    session.flush()
    return release


def _city_shares(table: dict[str, object] | Table) -> dict[str, float | None]:
    t = table if isinstance(table, Table) else Table(**table)  # type: ignore[arg-type]
    city = t.rows[-1]
    out: dict[str, float | None] = {}
    for c, band in enumerate(t.columns[2:-1:2]):
        head = city[3 + 2 * c].split(" (")[0]
        out[band] = float(head[:-1]) if head.endswith("%") and head[0].isdigit() else None
    return out


class Trend(TypedDict):
    """Wave names in release order, each scale's city share per band and wave, and by dimension."""

    waves: list[str]
    series: dict[str, dict[str, list[float | None]]]
    dimensions: list[dict[str, object]]


def _trend(session: Session, wave: Wave, tables: list[Table]) -> Trend:
    """City shares by band across earlier released waves and this one, as each published them."""
    earlier = session.scalars(
        select(ReportRelease).join(Wave, Wave.id == ReportRelease.wave_id)
        .where(Wave.id != wave.id).order_by(ReportRelease.built_at)
    ).all()  # fmt: skip
    names = [str(r.document["wave"]["name"]) for r in earlier] + [wave.name]  # type: ignore[index]
    series: dict[str, dict[str, list[float | None]]] = {}
    current = {t.extra["scale"]: t for t in tables if t.extra.get("dimension") == "district"}
    for key, table in current.items():
        shares = [_shares_in(r.document, str(key)) for r in earlier] + [_city_shares(table)]
        bands = list(_city_shares(table))
        series[str(key)] = {b: [s.get(b) for s in shares] for b in bands}
    earlier_docs = [(names[i], r.document) for i, r in enumerate(earlier)]
    by_dimension = dimension_trends(earlier_docs, wave.name, tables)
    return Trend(waves=names, series=series, dimensions=by_dimension)


def _shares_in(document: dict[str, object], key: str) -> dict[str, float | None]:
    for t in document.get("tables", []):  # type: ignore[attr-defined]
        if t.get("extra", {}).get("scale") == key and t["extra"].get("dimension") == "district":
            return _city_shares(t)
    return {}


def released_waves(session: Session) -> list[tuple[Wave, ReportRelease]]:
    """Released waves with their reports, newest first."""
    rows = session.execute(
        select(Wave, ReportRelease).join(ReportRelease, ReportRelease.wave_id == Wave.id)
        .where(Wave.state == WaveState.RELEASED).order_by(ReportRelease.built_at.desc())
    ).all()  # fmt: skip
    return [(w, r) for w, r in rows]


def shown_release(session: Session, wave_id: int, light: bool = False) -> ReportRelease | None:
    """The release of a wave that is released now; None for any other (nothing is shown).

    ``light`` leaves the document and charts unread until used (a page whose body is already
    rendered never parses them).
    """
    query = (
        select(ReportRelease).join(Wave, Wave.id == ReportRelease.wave_id)
        .where(Wave.id == wave_id, Wave.state == WaveState.RELEASED)
    )  # fmt: skip
    if light:
        query = query.options(defer(ReportRelease.document), defer(ReportRelease.charts),
                              defer(ReportRelease.page_html))  # fmt: skip
    return session.scalar(query)
