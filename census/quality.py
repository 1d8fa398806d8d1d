"""The response-quality note on one submitted response: whether its answers may not reflect how
the teacher feels, and which indices agreed (``scoring.quality`` names them).

A note for the psychologist only, never a change of level or routing; it goes with the answers
when they are erased.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    CursorResult,
    ForeignKey,
    Integer,
    Uuid,
    delete,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from db import Base, UTCDateTime, utcnow


class ResponseQuality(Base):
    """The latest quality assessment of one submitted response, against its wave's other answers."""

    __tablename__ = "response_quality"

    response_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    # Names of the indices at an extreme tail, e.g. ["longstring", "seconds_per_item"].
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    # How many submitted responses of the wave the cut-offs were drawn from.
    sample_size: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


def erase_quality(session: Session, response_id: uuid.UUID) -> None:
    """Delete one response's note (its answers are being erased: the note goes with them)."""
    session.execute(
        delete(ResponseQuality)
        .where(ResponseQuality.response_id == response_id)
        .execution_options(synchronize_session=False)
    )


def erase_wave_quality(session: Session, wave_ids: Sequence[int], *, dry_run: bool = False) -> int:
    """Delete the notes of ``wave_ids`` (past retention); returns a count (only counts if
    ``dry_run``)."""
    where = ResponseQuality.wave_id.in_(wave_ids)
    if dry_run:
        return int(
            session.scalar(select(func.count()).select_from(ResponseQuality).where(where)) or 0
        )
    erased = session.execute(
        delete(ResponseQuality).where(where).execution_options(synchronize_session=False)
    )
    return int(cast(CursorResult[Any], erased).rowcount)
