"""Districts, schools and teachers.

The teacher row is the identity vault: every personal field is sealed (see ``privacy.vault``);
only ids, the pseudonym, the school, keyed lookup indexes, the active flag and timestamps are in
plain text, as DESIGN.md lists.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Boolean, ForeignKey, LargeBinary, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db import Base, UTCDateTime, enum_type, utcnow
from privacy.vault import sealed_bool, sealed_int, sealed_text


class SchoolLevel(enum.StrEnum):
    """The stage a school teaches."""

    PRIMARY = "primary"
    JUNIOR = "junior"
    SENIOR = "senior"
    NINE_YEAR = "nine_year"
    TWELVE_YEAR = "twelve_year"
    SPECIAL = "special"


class District(Base):
    """A district of the city (区)."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    schools: Mapped[list[School]] = relationship(back_populates="district")


class School(Base):
    """A school, unique by name within its district."""

    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("district_id", "name", name="uq_schools_district_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[SchoolLevel | None] = mapped_column(enum_type(SchoolLevel))
    campus: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    district: Mapped[District] = relationship(back_populates="schools")


class Teacher(Base):
    """One teacher on the roster; personal fields are sealed, lookups go through HMAC indexes."""

    __tablename__ = "teachers"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    pseudonym: Mapped[str] = mapped_column(String(32), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    staff_no_index: Mapped[bytes] = mapped_column(LargeBinary(16), unique=True)
    phone_index: Mapped[bytes | None] = mapped_column(LargeBinary(16), index=True)
    # Keyed digest of all roster fields: a re-import skips unchanged rows without decrypting.
    roster_digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    staff_no_sealed: Mapped[bytes] = mapped_column("staff_no", LargeBinary)
    name_sealed: Mapped[bytes] = mapped_column("name", LargeBinary)
    gender_sealed: Mapped[bytes | None] = mapped_column("gender", LargeBinary)
    birth_year_sealed: Mapped[bytes | None] = mapped_column("birth_year", LargeBinary)
    years_of_service_sealed: Mapped[bytes | None] = mapped_column("years_of_service", LargeBinary)
    subject_sealed: Mapped[bytes | None] = mapped_column("subject", LargeBinary)
    is_psychologist_sealed: Mapped[bytes | None] = mapped_column("is_psychologist", LargeBinary)
    phone_sealed: Mapped[bytes | None] = mapped_column("phone", LargeBinary)
    email_sealed: Mapped[bytes | None] = mapped_column("email", LargeBinary)

    staff_no = sealed_text()
    name = sealed_text()
    gender = sealed_text()
    birth_year = sealed_int()
    years_of_service = sealed_int()
    subject = sealed_text()
    is_psychologist = sealed_bool()
    phone = sealed_text()
    email = sealed_text()

    school: Mapped[School] = relationship()


SEALED_TEACHER_FIELDS = (
    "staff_no",
    "name",
    "gender",
    "birth_year",
    "years_of_service",
    "subject",
    "is_psychologist",
    "phone",
    "email",
)
