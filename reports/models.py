"""A frozen release: only aggregated, already-suppressed tables and charts, never a row."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, UTCDateTime, utcnow


class ReportRelease(Base):
    """One wave's report, computed once when the wave is released and never recomputed."""

    __tablename__ = "report_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), unique=True)
    k: Mapped[int] = mapped_column(Integer)
    built_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # {"wave": {...}, "respondents": "1234", "tables": [...], "followup": [...], "trend": [...]}
    document: Mapped[dict[str, object]] = mapped_column(JSON)
    # {"heatmap:phq9.total": "<svg ...>", "trend": "<svg ...>"}: rendered at release time.
    charts: Mapped[dict[str, str]] = mapped_column(JSON)
    page_html: Mapped[str | None] = mapped_column(Text)
