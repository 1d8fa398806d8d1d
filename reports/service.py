"""Building a wave's release once, when it is released, and reading released reports.

Services take the session first and only flush. A release is frozen: it is built once (a second
call returns the stored one), so a teacher's later withdrawal leaves it as published, and each
later release is computed from its own wave's respondents alone.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from census.models import Wave, WaveState
from reports.build import build_tables, shown_of
from reports.changes import changes_table
from reports.collect import load_microdata
from reports.document import release_charts, release_document, trend_of
from reports.floors import case_floors
from reports.followup import followup_tables
from reports.models import ReportRelease
from reports.risk import quality_table, risk_tables
from reports.statistics import release_statistics
from scoring import default_policy


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
    # The band and risk-level tables first: what they publish puts floors under the follow-up.
    shown = shown_of(data, k)
    tables = build_tables(data, k, shown)
    risk = risk_tables(data, k, shown)
    floors = case_floors(tables, default_policy(), k, risk)
    n = len(next(iter(data.codes.values()))) if data.codes else 0
    earlier = _earlier(session, wave)
    trend = trend_of(earlier, wave.name, tables)
    followup = followup_tables(session, wave, k, cap, now, floors)
    meta = {"id": wave.id, "name": wave.name}
    changes = changes_table(earlier, [*risk, *tables])
    document = release_document(meta, now, k, n, tables, followup, trend, risk,
                                quality_table(data, k), changes)  # fmt: skip
    document.update(release_statistics(session, wave, data, k, earlier, risk))
    charts = release_charts(tables, trend)
    release = ReportRelease(wave_id=wave.id, k=k, built_at=now, document=document, charts=charts)
    session.add(release)
    session.flush()
    return release


def _earlier(session: Session, wave: Wave) -> list[tuple[str, dict[str, object]]]:
    """Earlier releases as (wave name, frozen document), in release order."""
    earlier = session.scalars(
        select(ReportRelease).join(Wave, Wave.id == ReportRelease.wave_id)
        .where(Wave.id != wave.id).order_by(ReportRelease.built_at)
    ).all()  # fmt: skip
    return [(str(r.document["wave"]["name"]), r.document) for r in earlier]  # type: ignore[index]


def latest_release_before(session: Session, wave: Wave) -> tuple[str, dict[str, object]] | None:
    """The name and frozen report of the latest wave released before ``wave`` opens, if any: what
    the capacity forecast learns from (``app.py`` hands this reader to ``survey.waves``)."""
    row = session.execute(
        select(Wave.name, ReportRelease.document)
        .join(ReportRelease, ReportRelease.wave_id == Wave.id)
        .where(Wave.id != wave.id, Wave.state == WaveState.RELEASED)
        .where(Wave.closes_at <= wave.opens_at)
        .order_by(Wave.closes_at.desc())
        .limit(1)
    ).first()
    return None if row is None else (str(row[0]), row[1])


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
