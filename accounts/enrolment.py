"""The one-time enrolment link: its owner sets a new password and enrols a new authenticator.

The token is 256 random bits; only its SHA-256 is stored. A link lasts ``LINK_LIFETIME`` from
when it was issued, works once, and dies with its reset (cancelled, superseded, used). The
authenticator secret it enrols is drawn when the link is issued, so opening the page changes
nothing (mail scanners and link previews fetch it too).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import CredentialReset, ResetStatus
from accounts.passwords import Passwords, check_new_password
from accounts.sessions import end_all_sessions
from accounts.totp import accept_code, new_secret

LINK_LIFETIME = dt.timedelta(hours=24)
ENROL_PATH = "/account/enrol/"
MAX_TOKEN_LENGTH = 100


class EnrolmentRefused(ValueError):
    """The code was wrong; the message is fit to show to the owner."""


def token_hash(token: str) -> bytes:
    """What the table keeps of a token."""
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


def issue_link(reset: CredentialReset, now: dt.datetime) -> str:
    """Give an approved reset its link token (returned once, for the owner's message only)."""
    token = secrets.token_urlsafe(32)
    reset.token_hash = token_hash(token)
    reset.link_sent_at = now
    reset.expires_at = now + LINK_LIFETIME
    reset.totp_secret = new_secret()
    return token


def enrolment_url(base_url: str, token: str) -> str:
    """The link as the owner receives it."""
    return f"{base_url.rstrip('/')}{ENROL_PATH}{token}"


def link_live(reset: CredentialReset, now: dt.datetime) -> bool:
    """Whether the reset's link can still be used at ``now``."""
    return (
        reset.status is ResetStatus.APPROVED
        and reset.token_hash is not None
        and reset.expires_at is not None
        and now < reset.expires_at
    )


def find_by_token(session: Session, token: str, now: dt.datetime) -> CredentialReset | None:
    """The reset whose live link this is; None for an unknown, used, expired or dead link."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    reset = session.scalars(
        select(CredentialReset).where(CredentialReset.token_hash == token_hash(token))
    ).first()
    if reset is None or not link_live(reset, now) or not reset.account.is_active:
        return None
    return reset


def enrol(
    session: Session,
    passwords: Passwords,
    reset: CredentialReset,
    credentials: tuple[str, str],
    now: dt.datetime,
) -> None:
    """Set the owner's new password and authenticator from (password, code) and close the reset.

    Raises PasswordRejected or EnrolmentRefused, having changed nothing. Every session of the
    account ends; the owner then logs in with what they just chose.
    """
    password, code = credentials
    account = reset.account
    check_new_password(password, context=(account.username,))
    secret = reset.totp_secret or ""
    counter = accept_code(secret, code, None, now)
    if counter is None:
        raise EnrolmentRefused("验证码不正确 / The authenticator code is not right.")
    account.password_hash = passwords.hash(password)
    account.must_change_password = False
    account.totp_secret, account.pending_totp_secret = secret, None
    account.totp_last_counter = counter
    end_all_sessions(session, account, now)
    reset.status, reset.closed_at = ResetStatus.DONE, now
    reset.token_hash, reset.totp_secret = None, None
