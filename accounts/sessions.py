"""Server-side staff sessions: random cookie tokens, hashed in the table, with idle and absolute
timeouts, voided wholesale when the password or TOTP device changes or the account is disabled."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from accounts.models import StaffAccount, StaffSession

COOKIE_NAME = "xinan_staff"
# Writing last_seen on every request would make each page view a write; a minute is precise enough.
TOUCH_INTERVAL = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Timeouts:
    """How long a session lives without use, and at most."""

    idle: dt.timedelta = dt.timedelta(minutes=30)
    absolute: dt.timedelta = dt.timedelta(hours=12)


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


def start_session(session: Session, account: StaffAccount, stage: str, now: dt.datetime) -> str:
    """Create a session and return its cookie token (shown to nobody else, stored only hashed)."""
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_hash(token), account=account, stage=stage, created_at=now, last_seen_at=now
        )
    )
    session.flush()
    return token


def load_session(
    session: Session, token: str | None, now: dt.datetime, timeouts: Timeouts
) -> StaffSession | None:
    """The live session for ``token``, or None (expired, voided or unknown sessions are deleted)."""
    if not token or len(token) > 100:
        return None
    found = session.get(StaffSession, _hash(token))
    if found is None:
        return None
    if not _is_live(found, now, timeouts):
        session.delete(found)
        session.flush()
        return None
    if now - found.last_seen_at >= TOUCH_INTERVAL:
        found.last_seen_at = now
    return found


def _is_live(staff_session: StaffSession, now: dt.datetime, timeouts: Timeouts) -> bool:
    account = staff_session.account
    return (
        account.is_active
        and staff_session.created_at >= account.sessions_valid_after
        and now - staff_session.last_seen_at <= timeouts.idle
        and now - staff_session.created_at <= timeouts.absolute
    )


def end_session(session: Session, token: str | None) -> None:
    """Delete the session behind ``token`` (logout)."""
    if token:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _hash(token)))


def end_all_sessions(session: Session, account: StaffAccount, now: dt.datetime) -> None:
    """Void every session of ``account`` (password or TOTP change, reset, disabling)."""
    account.sessions_valid_after = now
    session.execute(delete(StaffSession).where(StaffSession.account_id == account.id))
