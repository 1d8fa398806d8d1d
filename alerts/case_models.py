"""The contact log of a case: one row per transition, attempt or note, with who and when.

The note is sealed (it is what the teacher told the psychologist); the rest is plain so that the
timeline sorts and the deadline rules read it: actor, time, states, the next contact date and
the referral type or outcome chosen.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from alerts.models import CaseState
from db import Base, UTCDateTime, enum_type, utcnow
from privacy.vault import sealed_text


class CaseEvent(Base):
    """One entry of a case's timeline and contact log."""

    __tablename__ = "case_events"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    # None for the system (routing at intake, withdrawal).
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[CaseState] = mapped_column(enum_type(CaseState))
    to_state: Mapped[CaseState] = mapped_column(enum_type(CaseState))
    next_contact_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    referral_type: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(40))
    # The account the case moved to, for assignments.
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))

    note_sealed: Mapped[bytes | None] = mapped_column("note", LargeBinary)
    note = sealed_text()
