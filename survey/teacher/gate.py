"""The teacher's side of the gate: confirm who they are, set a PIN, unlock with it later, and
set a new one with a code sent to the roster contact when it is forgotten.

Every failure — a wrong phone ending, no phone on the roster, a wrong PIN — looks the same from
outside and counts towards one throttle per invitation, so the link cannot be used to probe the
roster, and towards one per address across all links (``survey.teacher.gate_throttle``). A right
answer resets neither. Services take the session first and only flush; the request commits.
"""

from __future__ import annotations

import datetime as dt
import enum
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session

from alerts.models import Case
from census.models import Invitation, Response, Wave, WaveUnit
from config.settings import Settings
from db import begin_for_write
from org.models import School, Teacher
from privacy.audit.record import record
from privacy.keys import KeyRing
from privacy.lookup import lookup_index
from privacy.vault import open_cell
from scoring.levels import RiskLevel
from survey.invitations.links import is_well_formed, token_hash
from survey.invitations.lost_link import recent_requests
from survey.invitations.messages import enqueue_pin_code
from survey.invitations.models import LostLinkAttempt
from survey.teacher import pin as pins
from survey.teacher.flow import FlowError, Locked, WaveView
from survey.teacher.gate_throttle import Guesser, check_address, count_failure, count_lock
from survey.teacher.link_facts import DraftRow, InvitationFacts, InvitationRow, ResponseRow

PHONE_DIGITS = 4
_NON_DIGITS = re.compile(r"[^0-9]")


class JustLocked(Locked):
    """This wrong try locked the link; answered with 200 so the lock commits."""

    status = 200


class WrongAnswer(FlowError):
    """The phone ending or the PIN was not right (the same answer for every kind of failure)."""

    status = 200  # re-render the form; the failure count commits with the response
    reason = "wrong"


# Every teacher page needs a little of its wave: the battery, the state and the window for the
# teacher's school. One statement reads them beside the invitation as plain columns; the window
# comes from a subquery over the units that cover the school (the SQL form of
# ``survey.waves.rules.unit_opens_at``), so no wave object and no list of units is built per
# request. Built once: constructing a statement costs more than running it.
_SCHOOL_DISTRICT = (
    select(School.district_id)
    .where(School.id == Invitation.school_id)
    .correlate(Invitation)
    .scalar_subquery()
)
_UNIT_OPENS = (
    select(func.min(func.coalesce(WaveUnit.opens_at, Wave.opens_at)))
    .where(
        WaveUnit.wave_id == Invitation.wave_id,
        or_(
            WaveUnit.school_id == Invitation.school_id,
            and_(
                WaveUnit.school_id.is_(None),
                or_(WaveUnit.district_id.is_(None), WaveUnit.district_id == _SCHOOL_DISTRICT),
            ),
        ),
    )
    .correlate(Invitation, Wave)
    .scalar_subquery()
)
_WAVE_COLUMNS = (
    Wave.battery,
    Wave.state,
    Wave.opens_at,
    Wave.closes_at,
    Wave.battery_locked_at,
    _UNIT_OPENS,
)
# Pages that change the invitation read it as an entity, locked for this transaction.
_BY_TOKEN_FOR_UPDATE = (
    select(Invitation, *_WAVE_COLUMNS)
    .join(Wave, Wave.id == Invitation.wave_id)
    .where(Invitation.token_hash == bindparam("token_hash"))
    .with_for_update(of=Invitation)
)
# Every other page reads plain columns (``survey.teacher.link_facts``): the invitation's facts, then
# the wave's. The answering pages also need the draft and whether it has a crisis case: one
# statement more would cost more than the join.
_INVITATION_COLUMNS = tuple(getattr(Invitation, f.name) for f in fields(InvitationRow))
_FACTS_BY_TOKEN = (
    select(*_INVITATION_COLUMNS, *_WAVE_COLUMNS)
    .join(Wave, Wave.id == Invitation.wave_id)
    .where(Invitation.token_hash == bindparam("token_hash"))
)
_RESPONSE_COLUMNS = tuple(getattr(Response, f.name) for f in fields(ResponseRow))
_CRISIS_CASE = exists().where(Case.response_id == Response.id, Case.level == RiskLevel.CRISIS)
_FACTS_WITH_DRAFT = _FACTS_BY_TOKEN.add_columns(*_RESPONSE_COLUMNS, _CRISIS_CASE).outerjoin(
    Response, Response.invitation_id == Invitation.id
)
# The entities, for the submission: it writes both, and the draft's version is checked then.
_ENTITIES_WITH_DRAFT = (
    select(Invitation, Response, _CRISIS_CASE)
    .outerjoin(Response, Response.invitation_id == Invitation.id)
    .where(Invitation.token_hash == bindparam("token_hash"))
)

Link = tuple[Invitation, WaveView]
LinkFacts = tuple[InvitationFacts, WaveView]


@dataclass(frozen=True)
class Draft:
    """The invitation's response entity (draft or submitted; None if it has none yet)
    and whether it has a crisis case, in any state."""

    response: Response | None
    crisis: bool


def load_for_write(session: Session, token: str) -> Link | None:
    """The invitation behind ``token`` and its wave, the invitation locked for this transaction
    (one writer per teacher)."""
    if not is_well_formed(token):
        return None
    begin_for_write(session)
    row = session.execute(_BY_TOKEN_FOR_UPDATE, {"token_hash": token_hash(token)}).one_or_none()
    return None if row is None else (row[0], _wave_of(row[0].wave_id, row[1:]))


def load(session: Session, token: str) -> LinkFacts | None:
    """The invitation behind ``token`` and its wave, for reading; garbage tokens never reach
    the database."""
    if not is_well_formed(token):
        return None
    row = _read(session, _FACTS_BY_TOKEN, token)
    return None if row is None else _facts_of(row)


def load_with_draft(
    session: Session, token: str
) -> tuple[InvitationFacts, WaveView, DraftRow] | None:
    """The invitation behind ``token``, its wave and its draft, for reading, in one statement."""
    if not is_well_formed(token):
        return None
    row = _read(session, _FACTS_WITH_DRAFT, token)
    if row is None:
        return None
    invitation, wave = _facts_of(row)
    *columns, crisis = row[_FACTS_END:]
    response = ResponseRow(*columns) if columns[0] is not None else None  # no draft yet
    return invitation, wave, DraftRow(response=response, crisis=bool(crisis))


def load_entities_with_draft(session: Session, token: str) -> tuple[Invitation, Draft] | None:
    """The invitation behind ``token`` and its draft as entities, in one statement, unlocked:
    for a writer that checks what it read when it writes (the submission)."""
    if not is_well_formed(token):
        return None
    row = session.execute(_ENTITIES_WITH_DRAFT, {"token_hash": token_hash(token)}).one_or_none()
    if row is None:
        return None
    invitation, response, crisis = row
    return invitation, Draft(response=response, crisis=bool(crisis))


_INVITATION_END = len(_INVITATION_COLUMNS)
_FACTS_END = _INVITATION_END + len(_WAVE_COLUMNS)


def _read(session: Session, statement: Select[Any], token: str) -> Row[Any] | None:
    # On the session's connection, as Core: the rows are plain values, not entities.
    result = session.connection().execute(statement, {"token_hash": token_hash(token)})
    return result.one_or_none()


def _facts_of(row: Row[Any]) -> LinkFacts:
    invitation = InvitationRow(*row[:_INVITATION_END])
    return invitation, _wave_of(invitation.wave_id, row[_INVITATION_END:_FACTS_END])


def _wave_of(wave_id: int, columns: Sequence[Any]) -> WaveView:
    battery, state, opens_at, closes_at, locked_at, unit_opens = columns
    return WaveView(
        id=wave_id,
        battery=tuple(battery),
        state=state,
        # Never before the wave itself opens; None when no unit covers the school.
        opens_at=max(unit_opens, opens_at) if unit_opens is not None else None,
        closes_at=closes_at,
        battery_locked=locked_at is not None,
    )


_PSEUDONYM = select(Teacher.pseudonym).where(Teacher.id == bindparam("teacher_id"))


def pseudonym_of(session: Session, invitation: Invitation) -> str:
    """The pseudonym of the invitation's teacher, without loading the teacher's record."""
    return str(session.scalars(_PSEUDONYM, {"teacher_id": invitation.teacher_id}).one())


def _check(session: Session, invitation: Invitation, guesser: Guesser, now: dt.datetime) -> None:
    # Refused unchecked while the link is locked or the address has used up its hour.
    if pins.is_locked(invitation, now):
        raise Locked()
    check_address(session, guesser, now)


def _fail(
    session: Session, invitation: Invitation, guesser: Guesser, now: dt.datetime, action: str
) -> None:
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
    raise JustLocked() if locked else WrongAnswer()


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
) -> None:
    """Check the last four digits of the roster phone, the gate of every link whatever its
    state (the PIN comes after it); WrongAnswer, Locked or AddressThrottled when not right."""
    _check(session, invitation, guesser, now)
    expected = _phone_ending(_roster_phone(session, invitation))
    # Compare even when the roster has no phone, so both paths take the same time.
    matches = hmac.compare_digest(expected or "----", digits) and bool(expected)
    if not matches:
        _fail(session, invitation, guesser, now, "identity")
    if invitation.identity_confirmed_at is None:
        invitation.identity_confirmed_at = now
    session.flush()


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
) -> None:
    """Check the PIN; WrongAnswer, Locked or AddressThrottled when it is not right."""
    _check(session, invitation, guesser, now)
    if not pins.pin_matches(ring, invitation, pin):
        _fail(session, invitation, guesser, now, "pin")
    pins.end_reset_code(invitation)  # remembered after all
    session.flush()


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
) -> None:
    """Set a new PIN (``new_pin``: it and its repeat) with the code sent to the roster contact.

    PinRejected when the new PIN breaks a rule (nothing counted: it holds no secret); WrongAnswer,
    Locked or AddressThrottled when the code is not the live one, counted like a wrong PIN. The
    form sent twice (a double tap: the code is used up by then) finds its PIN already set, and
    passes like an unlock with it. The draft and the answers stay as they are.
    """
    if invitation.pin_hash is None:
        raise FlowError()
    _check(session, invitation, guesser, now)
    pins.check_new_pin(*new_pin, _phone_ending(_roster_phone(session, invitation)))
    if not pins.reset_code_matches(ring, invitation, code, now):
        if pins.pin_matches(ring, invitation, new_pin[0]):
            # One guess, as at the unlock page.
            unlock(session, ring, invitation, new_pin[0], now, guesser)
            return
        _fail(session, invitation, guesser, now, "pin_reset")
    invitation.pin_hash = pins.hash_pin(ring, invitation, new_pin[0])
    invitation.pin_set_at = now
    pins.forget_reset_codes(invitation)
    record(session, "anonymous", "survey.pin.reset", object_type="invitation",
           object_id=invitation.id)  # fmt: skip
    session.flush()
