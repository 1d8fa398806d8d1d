"""Lost-link requests, kept only as keyed digests and times: they feed the hourly throttle."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, UTCDateTime, utcnow


class LostLinkAttempt(Base):
    """One request for a new link, counted against a staff number and against an address."""

    __tablename__ = "lost_link_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Keyed HMAC of "staff:<number>" or "ip:<address>": neither is stored, unknown ones count too.
    key: Mapped[bytes] = mapped_column(LargeBinary(16), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
