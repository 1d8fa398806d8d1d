"""Waves, invitations and responses.

The invitation is the identity side (which teacher was invited, their link and PIN); the response
holds the answers under the teacher's pseudonym, sealed, with only the risk level in plain text.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Mapping
from types import MappingProxyType

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db import Base, UTCDateTime, enum_type, utcnow
from org.models import Teacher
from privacy.vault import sealed_text
from scoring.levels import RiskLevel


class WaveState(enum.StrEnum):
    """A wave's life: draft → scheduled → open → closed → released."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    RELEASED = "released"


class Wave(Base):
    """One round of the census: a battery, a window and a population."""

    __tablename__ = "waves"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    battery: Mapped[list[str]] = mapped_column(JSON)
    # A battery without PHQ-9 has no safety item: allowed only when explicitly confirmed.
    no_safety_item_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    state: Mapped[WaveState] = mapped_column(enum_type(WaveState), default=WaveState.DRAFT)
    # Set at the first saved answer; the battery cannot change after it.
    battery_locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    units: Mapped[list[WaveUnit]] = relationship(
        back_populates="wave", cascade="all, delete-orphan", order_by="WaveUnit.id"
    )


class WaveScoreSpread(Base):
    """The SD of one score over a wave's submissions, frozen when the wave closes.

    A later wave judges each teacher's reliable change against it (``scoring.change``). Only
    the count is kept when fewer than ``MIN_WAVE_RESPONDENTS`` teachers completed the scale, or
    all scored alike: a handful of scores gives no sensible SD, and would tell their differences.
    """

    __tablename__ = "wave_score_spreads"

    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), primary_key=True)
    instrument: Mapped[str] = mapped_column(String(20), primary_key=True)
    score: Mapped[str] = mapped_column(String(40), primary_key=True)
    respondents: Mapped[int] = mapped_column(Integer)
    sd: Mapped[float | None] = mapped_column(Float)
    frozen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class WaveUnit(Base):
    """Part of a wave's population: the city (both ids null), a district or a school.

    ``opens_at`` lets a wave open district by district; null means the wave's own time.
    """

    __tablename__ = "wave_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    wave: Mapped[Wave] = relationship(back_populates="units")


class InvitationStatus(enum.StrEnum):
    """Where one teacher stands in one wave."""

    INVITED = "invited"
    STARTED = "started"
    SUBMITTED = "submitted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Invitation(Base):
    """One teacher's personal link for one wave; only the token's hash is stored."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("wave_id", "teacher_id", name="uq_invitations_wave_teacher"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    teacher_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teachers.id"), index=True)
    # Plain, like the teacher's own school_id: per-school sheets, forecasts and routing need it.
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    status: Mapped[InvitationStatus] = mapped_column(
        enum_type(InvitationStatus), default=InvitationStatus.INVITED, index=True
    )
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    # Wrong phone digits, PINs and reset codes: the count (it decays with time, never with a
    # success: survey/teacher/pin.py), when the last one came, and the lock they caused.
    pin_failures: Mapped[int] = mapped_column(Integer, default=0)
    pin_failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    pin_locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    identity_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    consented_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Which consent text the teacher agreed to (PIPL art. 29: separate consent, provable).
    consent_version: Mapped[str | None] = mapped_column(String(20))
    # The teacher declined the statistical second reader (PIPL art. 24): no prediction is made
    # for them; rule-based screening is unchanged.
    model_opt_out_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "Forgot my PIN": the keyed hash of the last code sent to the roster contact, when it was
    # sent (it expires) and how many were sent since the PIN last worked (each waits longer).
    pin_reset_hash: Mapped[str | None] = mapped_column(String(100))
    pin_reset_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    pin_reset_count: Mapped[int | None] = mapped_column(Integer)
    # When the PIN was last set: a browser's unlock holds only for the PIN it was made with.
    pin_set_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    wave: Mapped[Wave] = relationship()
    teacher: Mapped[Teacher] = relationship()


class Response(Base):
    """A teacher's answers to one wave, under their pseudonym; drafts and the submission alike."""

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("wave_id", "pseudonym", name="uq_responses_wave_pseudonym"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(32), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    invitation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invitations.id"), unique=True)
    # How many pages were saved, so a resumed form opens where the teacher stopped.
    pages_saved: Mapped[int] = mapped_column(Integer, default=0)
    risk_level: Mapped[RiskLevel | None] = mapped_column(enum_type(RiskLevel), index=True)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    # Shown to the teacher at submission; the same receipt answers a replayed submission.
    receipt: Mapped[str | None] = mapped_column(String(20), unique=True)
    # Optimistic concurrency: a stale page post cannot overwrite a newer save.
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Consent withdrawn: answers and derived data are gone, and every later release leaves it out.
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)

    answers_sealed: Mapped[bytes | None] = mapped_column("answers", LargeBinary)
    scores_sealed: Mapped[bytes | None] = mapped_column("scores", LargeBinary)
    reasons_sealed: Mapped[bytes | None] = mapped_column("reasons", LargeBinary)
    # JSON texts, sealed: {item_id: value}, {instrument: {score: value}}, [rule ids].
    timings_sealed: Mapped[bytes | None] = mapped_column("timings", LargeBinary)
    answers = sealed_text()
    scores = sealed_text()
    reasons = sealed_text()
    # {instrument: seconds between the page being shown and saved}, summed over saves: the
    # response-quality check reads it (rushing), nothing else.
    timings = sealed_text()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it as is)


# What erasing a teacher's answers writes into their response, on withdrawal and at the end of
# retention alike: the sealed answers, scores and reasons and the level derived from them go, and
# the saved-page count starts again. The row stays, as the bare fact of taking part.
ERASED_ANSWERS: Mapping[str, object] = MappingProxyType(
    {
        "answers_sealed": None,
        "scores_sealed": None,
        "reasons_sealed": None,
        "timings_sealed": None,
        "risk_level": None,
        "pages_saved": 0,
    }
)
