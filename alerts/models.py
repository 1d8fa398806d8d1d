"""Follow-up cases (crisis and high) and caring outreach (moderate), under the teacher's pseudonym.

Only what routing and deadlines need is plain: pseudonym, school, district, wave, level, state and
times. The reasons a case was opened are sealed.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import ForeignKey, LargeBinary, String, Uuid, event
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, UTCDateTime, enum_type, utcnow
from privacy.vault import sealed_text
from scoring.levels import RiskLevel

# ``Case.next_step_at`` for "look at this case in the next deadline sweep, whatever the clock".
CHECK_NOW = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class CaseState(enum.StrEnum):
    """new → acknowledged → contacted ⇄ following up → referred → closed."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    CONTACTED = "contacted"
    FOLLOWING_UP = "following_up"
    REFERRED = "referred"
    CLOSED = "closed"


class Case(Base):
    """A teacher who needs a person: opened by a crisis or high level, or an outreach taken up."""

    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    pseudonym: Mapped[str] = mapped_column(String(32), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    # One case per response: saving the PHQ-9 page again, or submitting, never opens a second.
    response_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("responses.id"), unique=True)
    level: Mapped[RiskLevel] = mapped_column(enum_type(RiskLevel))
    state: Mapped[CaseState] = mapped_column(
        enum_type(CaseState), default=CaseState.NEW, index=True
    )
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledge_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    contact_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_accounts.id"), index=True
    )
    assigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    previous_case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    # While following up: when the psychologist plans to reach the teacher next.
    next_contact_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    referral_type: Mapped[str | None] = mapped_column(String(40))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(40))
    # The teacher withdrew consent while this crisis case awaited its first contact: one caring
    # contact is still made (PIPL art. 13(4)), then the case closes as withdrawn.
    teacher_withdrew_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When the deadline sweep should next look at this case (alerts/sweeps.py); None: never
    # again. A new case, or one whose deadlines or level change, is looked at by the next sweep.
    next_step_at: Mapped[dt.datetime | None] = mapped_column(
        UTCDateTime, default=lambda: CHECK_NOW, index=True
    )

    reasons_sealed: Mapped[bytes | None] = mapped_column("reasons", LargeBinary)
    # JSON list of the policy rule ids that fired (words come from the policy for display).
    reasons = sealed_text()


@event.listens_for(Case.acknowledge_due_at, "set")
@event.listens_for(Case.contact_due_at, "set")
@event.listens_for(Case.level, "set")
def _recheck_steps(target: Case, value: object, oldvalue: object, initiator: object) -> None:
    # Tighter deadlines or another level change when the next reminder or escalation falls due.
    target.next_step_at = CHECK_NOW


class OutreachState(enum.StrEnum):
    """A caring message was shown; the teacher may ask to talk, or a psychologist may take it up."""

    OFFERED = "offered"
    REQUESTED = "requested"
    TAKEN_UP = "taken_up"


class Outreach(Base):
    """A caring outreach for a moderate level: resources and an "I would like to talk" button."""

    __tablename__ = "outreach"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    pseudonym: Mapped[str] = mapped_column(String(32), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    response_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("responses.id"), unique=True)
    state: Mapped[OutreachState] = mapped_column(
        enum_type(OutreachState), default=OutreachState.OFFERED, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
