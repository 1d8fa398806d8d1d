"""The teacher's side of the gate: confirm who they are, set a PIN, unlock with it later.

Every failure — a wrong phone ending, no phone on the roster, a wrong PIN — looks the same from
outside and counts towards one throttle per invitation, so the link cannot be used to probe the
roster. Services take the session first and only flush; the request commits.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from db import begin_for_write
from privacy.audit.record import record
from privacy.keys import KeyRing
from survey import pin as pins
from survey.flow import FlowError, Locked
from survey.links import is_well_formed, token_hash
from survey.models import Invitation, Wave

PHONE_DIGITS = 4
_NON_DIGITS = re.compile(r"[^0-9]")


class JustLocked(Locked):
    """This wrong try locked the link; answered with 200 so the lock commits."""

    status = 200


class WrongAnswer(FlowError):
    """The phone ending or the PIN was not right (the same answer for every kind of failure)."""

    status = 200  # re-render the form; the failure count commits with the response
    reason = "wrong"


# Every teacher page needs the wave and its units (the window): one statement, not three. Built
# once: constructing a statement with loader options costs more than running it.
_BY_TOKEN = (
    select(Invitation)
    .where(Invitation.token_hash == bindparam("token_hash"))
    .options(joinedload(Invitation.wave, innerjoin=True).joinedload(Wave.units))
)
_BY_TOKEN_FOR_UPDATE = _BY_TOKEN.with_for_update(of=Invitation)


def load_for_write(session: Session, token: str) -> Invitation | None:
    """The invitation behind ``token``, locked for this transaction (one writer per teacher)."""
    if not is_well_formed(token):
        return None
    begin_for_write(session)
    found = session.scalars(_BY_TOKEN_FOR_UPDATE, {"token_hash": token_hash(token)})
    return found.unique().one_or_none()


def load(session: Session, token: str) -> Invitation | None:
    """The invitation behind ``token`` for reading, with its wave and the wave's units;
    garbage tokens never reach the database."""
    if not is_well_formed(token):
        return None
    found = session.scalars(_BY_TOKEN, {"token_hash": token_hash(token)})
    return found.unique().one_or_none()


def _fail(session: Session, invitation: Invitation, now: dt.datetime, action: str) -> None:
    locked = pins.register_failure(invitation, now)
    if locked:
        record(
            session,
            "anonymous",
            "survey.gate.locked",
            outcome="denied",
            object_type="invitation",
            object_id=invitation.id,
            detail={"step": action},
        )
    session.flush()
    raise JustLocked() if locked else WrongAnswer()


def _phone_ending(phone: str | None) -> str:
    digits = _NON_DIGITS.sub("", phone or "")
    return digits[-PHONE_DIGITS:] if len(digits) >= PHONE_DIGITS else ""


def confirm_identity(
    session: Session, invitation: Invitation, digits: str, now: dt.datetime
) -> None:
    """Check the last four digits of the roster phone; WrongAnswer or Locked when not right."""
    if pins.is_locked(invitation, now):
        raise Locked()
    if invitation.pin_hash is not None:
        raise FlowError()  # once a PIN is set, the PIN is the way back in
    expected = _phone_ending(invitation.teacher.phone)
    # Compare even when the roster has no phone, so both paths take the same time.
    matches = hmac.compare_digest(expected or "----", digits) and bool(expected)
    if not matches:
        _fail(session, invitation, now, "identity")
    pins.clear_failures(invitation)
    invitation.identity_confirmed_at = now
    session.flush()


def set_pin(session: Session, ring: KeyRing, invitation: Invitation, pin: str, repeat: str) -> None:
    """Store the new PIN's keyed hash; PinRejected when it breaks a rule."""
    if invitation.pin_hash is not None or invitation.identity_confirmed_at is None:
        raise FlowError()
    pins.check_new_pin(pin, repeat)
    invitation.pin_hash = pins.hash_pin(ring, invitation, pin)
    session.flush()


def unlock(
    session: Session, ring: KeyRing, invitation: Invitation, pin: str, now: dt.datetime
) -> None:
    """Check the PIN; WrongAnswer or Locked when it is not right."""
    if pins.is_locked(invitation, now):
        raise Locked()
    if not pins.pin_matches(ring, invitation, pin):
        _fail(session, invitation, now, "pin")
    if invitation.pin_failures or invitation.pin_locked_until is not None:
        pins.clear_failures(invitation)
        session.flush()
