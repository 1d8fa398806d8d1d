"""Staff accounts, their role grants, server-side sessions and login attempts."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.roles import Role, ScopeKind
from db import Base, UTCDateTime, enum_type, utcnow
from org.models import District, School, Teacher
from privacy.vault import sealed_text


class GrantStatus(enum.StrEnum):
    """Where a role grant stands; only ``active`` grants confer anything."""

    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    REVOKED = "revoked"


class StaffAccount(Base):
    """A member of staff who logs in with a password and a TOTP code."""

    __tablename__ = "staff_accounts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)
    teacher_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teachers.id"), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Sessions created before this moment are void (password or TOTP change, disabling).
    sessions_valid_after: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    display_name_sealed: Mapped[bytes | None] = mapped_column("display_name", LargeBinary)
    totp_secret_sealed: Mapped[bytes | None] = mapped_column("totp_secret", LargeBinary)
    # Shown as a QR code during enrolment; becomes totp_secret once a code from it is confirmed.
    pending_totp_secret_sealed: Mapped[bytes | None] = mapped_column(
        "pending_totp_secret", LargeBinary
    )
    # The account's own contact (an e-mail address) for enrolment links and notices, used when
    # the linked roster record has none (administrators, analysts and auditors have no roster).
    email_sealed: Mapped[bytes | None] = mapped_column("email", LargeBinary)
    display_name = sealed_text()
    totp_secret = sealed_text()
    pending_totp_secret = sealed_text()
    email = sealed_text()

    teacher: Mapped[Teacher | None] = relationship()
    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="account", foreign_keys="RoleGrant.account_id", order_by="RoleGrant.id"
    )

    @property
    def is_enrolled(self) -> bool:
        """Whether the account has a TOTP device and a password of its own."""
        return self.totp_secret_sealed is not None and not self.must_change_password


class RoleGrant(Base):
    """One role over one scope for one account; needs approval when it sees identified data."""

    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_type(Role))
    scope_kind: Mapped[ScopeKind] = mapped_column(enum_type(ScopeKind))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    status: Mapped[GrantStatus] = mapped_column(enum_type(GrantStatus))
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[StaffAccount] = relationship(back_populates="grants", foreign_keys=[account_id])
    school: Mapped[School | None] = relationship()
    district: Mapped[District | None] = relationship()


class ResetStatus(enum.StrEnum):
    """pending (a second approval) → approved (the link is out) → done; or cancelled."""

    PENDING = "pending"
    APPROVED = "approved"
    DONE = "done"
    CANCELLED = "cancelled"


# While an account has a reset in one of these states, its grants confer nothing.
OPEN_RESET_STATES = (ResetStatus.PENDING, ResetStatus.APPROVED)


class CredentialReset(Base):
    """A new password and authenticator for an account, set by its owner through a one-time link.

    The link goes to the owner's contact, frozen here when the reset is asked for; the table keeps
    only a hash of its token. A reset of an account under dual control waits for a second security
    administrator before any link exists. A new account's first enrolment is a reset too.
    """

    __tablename__ = "credential_resets"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    # "password", "totp" (what the administrator was asked to reset) or "new" (a new account).
    reason: Mapped[str] = mapped_column(String(10))
    status: Mapped[ResetStatus] = mapped_column(enum_type(ResetStatus), index=True)
    needs_approval: Mapped[bool] = mapped_column(Boolean)
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # SHA-256 of the link's token; cleared once the link is used or the reset is cancelled.
    token_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)
    link_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # "sms" or "email", and whether the address came from the roster or the account.
    channel: Mapped[str] = mapped_column(String(10))
    contact_source: Mapped[str] = mapped_column(String(10))

    destination_sealed: Mapped[bytes | None] = mapped_column("destination", LargeBinary)
    # The authenticator secret the link enrols; cleared when the reset ends.
    totp_secret_sealed: Mapped[bytes | None] = mapped_column("totp_secret", LargeBinary)
    destination = sealed_text()
    totp_secret = sealed_text()

    account: Mapped[StaffAccount] = relationship(foreign_keys=[account_id])


class StaffSession(Base):
    """A server-side session; the cookie holds a random token, the table only its hash."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    # "setup": may only set a password and enrol TOTP; "full": everything the roles allow.
    stage: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[StaffAccount] = relationship()


class LoginAttempt(Base):
    """One login attempt against a user name (known or not), for per-account throttling."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Keyed HMAC of the normalised user name: unknown names are throttled the same way.
    username_key: Mapped[bytes] = mapped_column(LargeBinary(16), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
