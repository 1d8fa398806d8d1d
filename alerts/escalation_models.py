"""The record of each reminder and escalation done: one row per (case, deadline, kind, seq).

The unique key is what makes a step happen exactly once: the sweep inserts the row and queues the
step's messages in one transaction, so a crash leaves neither and a second scheduler's insert finds
the key taken and queues nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from alerts.rules import Deadline, StepKind
from db import Base, UTCDateTime, enum_type, utcnow


class CaseStep(Base):
    """A reminder or an escalation of one deadline of one case, done once."""

    __tablename__ = "case_steps"
    __table_args__ = (UniqueConstraint("case_id", "deadline", "kind", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    deadline: Mapped[Deadline] = mapped_column(enum_type(Deadline))
    kind: Mapped[StepKind] = mapped_column(enum_type(StepKind))
    # 0 for the reminder and the first escalation; repeats count up.
    seq: Mapped[int] = mapped_column(Integer)
    # When the rules say it fell due, and when the sweep did it (their gap is the lateness).
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How many staff members it went to (0 when nobody could be reached: see the sweep's log).
    recipients: Mapped[int] = mapped_column(Integer, default=0)
