"""The teacher's side of the gate: confirm who they are, set a PIN, unlock with it later, and
set a new one with a code sent to the roster contact when it is forgotten.

Every failure — a wrong phone ending, no phone on the roster, a wrong PIN — looks the same from
outside and counts towards one throttle per invitation, so the link cannot be used to probe the
roster, and towards one per address across all links (``survey.teacher.gate_throttle``). A right
answer resets neither.

Services take the session first and only flush. A checked answer comes back as an ``Answer``; a
wrong one has already been counted, and the step commits the count as it commits any other
write (``survey.teacher.pages.commit_step``), whatever page answers it. A refusal raised here
(locked, throttled, a PIN that breaks a rule) comes before anything is written.
"""

from __future__ import annotations

import datetime as dt
import enum
import hmac
import re

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from census.models import Invitation
from config.settings import Settings
from org.models import Teacher
from privacy.audit.record import record
from privacy.keys import KeyRing
from privacy.lookup import lookup_index
from privacy.vault import open_cell
from survey.invitations.lost_link import recent_requests
from survey.invitations.messages import enqueue_pin_code
from survey.invitations.models import LostLinkAttempt
from survey.teacher import pin as pins
from survey.teacher.flow import FlowError, Locked
from survey.teacher.gate_throttle import Guesser, check_address, count_failure, count_lock

PHONE_DIGITS = 4
_NON_DIGITS = re.compile(r"[^0-9]")


class Answer(enum.Enum):
    """How an answer checked at the gate (phone ending, PIN, reset code) came out. A wrong one
    has been counted on the throttles: the step commits the count like any other write."""

    RIGHT = "right"
    WRONG = "wrong"  # the same for every kind of failure
    LOCKED = "locked"  # wrong, and this try locked the link


def _check(session: Session, invitation: Invitation, guesser: Guesser, now: dt.datetime) -> None:
    # Refused unchecked while the link is locked or the address has used up its hour.
    if pins.is_locked(invitation, now):
        raise Locked()
    check_address(session, guesser, now)


def _fail(
    session: Session, invitation: Invitation, guesser: Guesser, now: dt.datetime, action: str
) -> Answer:
    locked = pins.register_failure(invitation, now)
    count_failure(session, guesser, now)
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
        count_lock(session, guesser, now)
    session.flush()
    return Answer.LOCKED if locked else Answer.WRONG


def _phone_ending(phone: str | None) -> str:
    digits = _NON_DIGITS.sub("", phone or "")
    return digits[-PHONE_DIGITS:] if len(digits) >= PHONE_DIGITS else ""


# The roster phone alone, for its ending: one sealed cell, not the teacher's whole record.
_PHONE = select(Teacher.phone_sealed).where(Teacher.id == bindparam("teacher_id"))


def _roster_phone(session: Session, invitation: Invitation) -> str | None:
    sealed = session.scalar(_PHONE, {"teacher_id": invitation.teacher_id})
    return open_cell(Teacher.__tablename__, Teacher.phone.name, invitation.teacher_id, sealed)


def confirm_identity(
    session: Session, invitation: Invitation, digits: str, now: dt.datetime, guesser: Guesser
) -> Answer:
    """Check the last four digits of the roster phone, the gate of every link whatever its
    state (the PIN comes after it). Refused unchecked (Locked, AddressThrottled) while the link
    is locked or the address has used up its hour."""
    _check(session, invitation, guesser, now)
    expected = _phone_ending(_roster_phone(session, invitation))
    # Compare even when the roster has no phone, so both paths take the same time.
    matches = hmac.compare_digest(expected or "----", digits) and bool(expected)
    if not matches:
        return _fail(session, invitation, guesser, now, "identity")
    if invitation.identity_confirmed_at is None:
        invitation.identity_confirmed_at = now
    session.flush()
    return Answer.RIGHT


def set_pin(
    session: Session,
    ring: KeyRing,
    invitation: Invitation,
    new_pin: tuple[str, str],
    now: dt.datetime,
) -> None:
    """Store the new PIN's keyed hash (``new_pin``: it and its repeat); PinRejected when it
    breaks a rule."""
    if invitation.pin_hash is not None or invitation.identity_confirmed_at is None:
        raise FlowError()
    pins.check_new_pin(*new_pin, _phone_ending(_roster_phone(session, invitation)))
    invitation.pin_hash = pins.hash_pin(ring, invitation, new_pin[0])
    invitation.pin_set_at = now
    session.flush()


def unlock(
    session: Session,
    ring: KeyRing,
    invitation: Invitation,
    pin: str,
    now: dt.datetime,
    guesser: Guesser,
) -> Answer:
    """Check the PIN (refused unchecked, as ``confirm_identity`` is, while locked or throttled)."""
    _check(session, invitation, guesser, now)
    if not pins.pin_matches(ring, invitation, pin):
        return _fail(session, invitation, guesser, now, "pin")
    pins.end_reset_code(invitation)  # remembered after all
    session.flush()
    return Answer.RIGHT


class CodeRequest(enum.Enum):
    """What became of a request for a "forgot my PIN" code."""

    SENT = "sent"  # queued for the roster contact, if the roster has one
    TOO_SOON = "too_soon"  # this link's last code is too recent
    THROTTLED = "throttled"  # this address asked for too many codes within the hour


def send_reset_code(
    session: Session,
    settings: Settings,
    ring: KeyRing,
    invitation: Invitation,
    now: dt.datetime,
    address: str,
) -> CodeRequest:
    """Send a new "forgot my PIN" code to the roster contact (never to the screen), unless this
    link's last code is too recent or ``address`` asked for too many codes within the hour (one
    office holding many printed links). Locked while the link is locked."""
    if invitation.pin_hash is None:
        raise FlowError()
    if pins.is_locked(invitation, now):
        raise Locked()
    if not pins.may_send_reset_code(invitation, now):
        return CodeRequest.TOO_SOON
    address_key = lookup_index(ring, "lost_link", f"pin-code-ip:{address}")
    if recent_requests(session, address_key, now) >= settings.pin_code_per_ip_per_hour:
        return CodeRequest.THROTTLED
    session.add(LostLinkAttempt(key=address_key, at=now))
    code = pins.new_reset_code()
    pins.record_reset_code(ring, invitation, code, now)
    # A roster without a contact sends nothing; the page says the same either way.
    queued = enqueue_pin_code(session, settings, invitation, code, now)
    record(session, "anonymous", "survey.pin.code_requested", object_type="invitation",
           object_id=invitation.id, detail={"queued": queued})  # fmt: skip
    session.flush()
    return CodeRequest.SENT


def reset_pin(
    session: Session,
    ring: KeyRing,
    invitation: Invitation,
    code: str,
    new_pin: tuple[str, str],
    now: dt.datetime,
    guesser: Guesser,
) -> Answer:
    """Set a new PIN (``new_pin``: it and its repeat) with the code sent to the roster contact.

    PinRejected when the new PIN breaks a rule (nothing counted: it holds no secret); refused
    unchecked while locked or throttled; wrong when the code is not the live one, counted like a
    wrong PIN. The form sent twice (a double tap: the code is used up by then) finds its PIN
    already set, and passes like an unlock with it. The draft and the answers stay as they are.
    """
    if invitation.pin_hash is None:
        raise FlowError()
    _check(session, invitation, guesser, now)
    pins.check_new_pin(*new_pin, _phone_ending(_roster_phone(session, invitation)))
    if not pins.reset_code_matches(ring, invitation, code, now):
        if pins.pin_matches(ring, invitation, new_pin[0]):
            # One guess, as at the unlock page.
            return unlock(session, ring, invitation, new_pin[0], now, guesser)
        return _fail(session, invitation, guesser, now, "pin_reset")
    invitation.pin_hash = pins.hash_pin(ring, invitation, new_pin[0])
    invitation.pin_set_at = now
    pins.forget_reset_codes(invitation)
    record(session, "anonymous", "survey.pin.reset", object_type="invitation",
           object_id=invitation.id)  # fmt: skip
    session.flush()
    return Answer.RIGHT
