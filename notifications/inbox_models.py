"""The in-app inbox: one row per message to one member of staff, created once by its key.

The title holds only a level and a deadline in words; the link is to the case page, which checks
access again. Nothing about the teacher is stored here.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, UTCDateTime, utcnow


class InboxItem(Base):
    """One notice for one staff account: unread until they mark it read."""

    __tablename__ = "inbox_items"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    # The same key as the e-mail of the same step: created once, whoever sweeps.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
