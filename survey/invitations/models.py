"""Requests that send a message to a roster contact (a lost link, a "forgot my PIN" code), and
wrong answers and locks at the teacher's gate, kept only as keyed digests and times: they feed
the hourly throttles and the lock-burst check (``survey.teacher.gate_throttle``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, UTCDateTime, utcnow


class LostLinkAttempt(Base):
    """One request for a new link (counted against a staff number and against an address), for
    a PIN code (counted against the address), one wrong answer at a link's gate (against the
    address), or one locked link and one mark of a lock burst (against fixed names)."""

    __tablename__ = "lost_link_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Keyed HMAC of "staff:<number>", "ip:<address>", "pin-code-ip:<address>",
    # "gate-ip:<address>", "gate-lock" or "gate-lock-burst": no value is stored, and unknown
    # ones count too.
    key: Mapped[bytes] = mapped_column(LargeBinary(16), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
