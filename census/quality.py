"""The response-quality note on one submitted response: whether its answers may not reflect how
the teacher feels, and which indices agreed (``scoring.quality`` names them).

A note for the psychologist only, never a change of level or routing; it goes with the answers
when they are erased.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Uuid
from sqlalchemy.orm import Mapped, mapped_column

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
