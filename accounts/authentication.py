"""Logging in: password + TOTP, at most N attempts per account per minute, the same answer and
about the same work for unknown names, wrong passwords, wrong codes and throttled accounts."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import LoginAttempt, StaffAccount
from accounts.passwords import Passwords
from accounts.totp import accept_code
from privacy.lookup import lookup_index
from privacy.vault import key_ring

THROTTLE_WINDOW = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class LoginOutcome:
    """The account and session stage on success; otherwise why, for the audit log only."""

    account: StaffAccount | None
    stage: str | None
    reason: str

    @property
    def ok(self) -> bool:
        """Whether the login succeeded."""
        return self.account is not None and self.stage is not None


def normalise_username(username: str) -> str:
    """NFKC, trimmed, lower-case: how user names are stored and compared."""
    return unicodedata.normalize("NFKC", username).strip().lower()


def find_account(session: Session, username: str) -> StaffAccount | None:
    """The account with this user name, if any."""
    name = normalise_username(username)
    return session.scalars(select(StaffAccount).where(StaffAccount.username == name)).first()


def attempt_login(
    session: Session,
    passwords: Passwords,
    credentials: tuple[str, str, str],
    now: dt.datetime,
    limit: int = 5,
) -> LoginOutcome:
    """Check (user name, password, TOTP code); every attempt counts towards the throttle."""
    username, password, code = credentials
    key = lookup_index(key_ring(), "username", normalise_username(username)[:200])
    recent = _recent_attempts(session, key, now)
    session.add(LoginAttempt(username_key=key, at=now))
    account = find_account(session, username[:200])
    # The hash is always verified, so timing does not tell which names exist or are throttled.
    password_ok = passwords.verify(account.password_hash if account else None, password[:256])
    if recent >= limit:
        return LoginOutcome(account, None, "throttled")
    if account is None:
        return LoginOutcome(None, None, "unknown_user")
    if not account.is_active:
        return LoginOutcome(account, None, "disabled")
    if not password_ok:
        return LoginOutcome(account, None, "bad_password")
    if not account.is_enrolled:
        return LoginOutcome(account, "setup", "enrolment_required")
    counter = accept_code(account.totp_secret or "", code, account.totp_last_counter, now)
    if counter is None:
        return LoginOutcome(account, None, "bad_code")
    account.totp_last_counter = counter
    return LoginOutcome(account, "full", "ok")


def _recent_attempts(session: Session, key: bytes, now: dt.datetime) -> int:
    query = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.username_key == key, LoginAttempt.at > now - THROTTLE_WINDOW
    )
    return int(session.scalar(query) or 0)
