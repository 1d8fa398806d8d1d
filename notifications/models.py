"""The notification outbox: every e-mail or SMS is a row first, sent by a sweep, retried with
backoff; its unique key means it is created once and a crash or a second scheduler sends nothing
twice. Recipients and texts are sealed (they hold contacts and links)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, UTCDateTime, enum_type, utcnow
from privacy.vault import sealed_text


class Channel(enum.StrEnum):
    """How a notification travels."""

    EMAIL = "email"
    SMS = "sms"


class DeliveryState(enum.StrEnum):
    """pending → sent, or failed after the last retry, or cancelled when no longer wanted."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    # e.g. a reminder whose teacher submitted while it waited out the SMS quiet hours.
    CANCELLED = "cancelled"


class Notification(Base):
    """One message to one recipient, created once by its key and sent by the outbox sweep."""

    __tablename__ = "notifications"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # e.g. "invite:<invitation id>:email", "remind:<invitation id>:3:sms", "escalate:<case>:2".
    key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    state: Mapped[DeliveryState] = mapped_column(
        enum_type(DeliveryState), default=DeliveryState.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Not sent before this time (backoff, SMS quiet hours).
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # A short error class for operators, never the message or the recipient.
    last_error: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    recipient_sealed: Mapped[bytes] = mapped_column("recipient", LargeBinary)
    subject_sealed: Mapped[bytes | None] = mapped_column("subject", LargeBinary)
    body_sealed: Mapped[bytes] = mapped_column("body", LargeBinary)
    recipient = sealed_text()
    subject = sealed_text()
    body = sealed_text()
