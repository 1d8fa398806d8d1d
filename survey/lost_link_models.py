"""Requests that send a message to a roster contact (a lost link, a "forgot my PIN" code), kept
only as keyed digests and times: they feed the hourly throttles."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, UTCDateTime, utcnow


class LostLinkAttempt(Base):
    """One request for a new link (counted against a staff number and against an address) or
    for a PIN code (counted against the address)."""

    __tablename__ = "lost_link_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Keyed HMAC of "staff:<number>", "ip:<address>" or "pin-code-ip:<address>": no value is
    # stored, and unknown ones count too.
    key: Mapped[bytes] = mapped_column(LargeBinary(16), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
