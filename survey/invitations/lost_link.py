"""A teacher who lost their link asks for it again with staff number and phone.

The link goes to the contact on the roster (SMS or e-mail, through the outbox), never to the
screen, and the page answers the same whether or not anybody matched. Requests are throttled per
staff number and per address, counted as keyed digests, so guessing staff numbers costs as much
for unknown ones as for real ones.
"""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from census.models import Invitation, Wave, WaveState
from config.settings import Settings
from org.models import School, Teacher
from org.roster.cells import CellError, parse_phone, parse_staff_no
from privacy.audit.record import record
from privacy.lookup import lookup_index
from privacy.vault import key_ring
from survey.invitations.messages import enqueue_relink
from survey.invitations.models import LostLinkAttempt
from survey.waves.rules import wave_accepts_answers

WINDOW = dt.timedelta(hours=1)


class Outcome(enum.Enum):
    """What the page may tell: only whether the request was throttled."""

    ACCEPTED = "accepted"
    THROTTLED = "throttled"


def _clean(parse: object, text: str) -> str | None:
    try:
        return parse(unicodedata.normalize("NFKC", text))  # type: ignore[operator,no-any-return]
    except CellError:
        return None


# Built once: every answer at a teacher's gate is checked against its address.
_RECENT = (
    select(func.count())
    .select_from(LostLinkAttempt)
    .where(LostLinkAttempt.key == bindparam("key"), LostLinkAttempt.at > bindparam("since"))
)


def recent_requests(
    session: Session, key: bytes, now: dt.datetime, window: dt.timedelta = WINDOW
) -> int:
    """How many requests were counted against ``key`` (a keyed digest) within the hour (or
    ``window``)."""
    return int(session.scalar(_RECENT, {"key": key, "since": now - window}) or 0)


def is_throttled(
    session: Session, settings: Settings, staff_key: bytes, ip_key: bytes, now: dt.datetime
) -> bool:
    """Whether this staff number or this address has asked too often within the hour."""
    return (
        recent_requests(session, staff_key, now) >= settings.lost_link_per_staff_no_per_hour
        or recent_requests(session, ip_key, now) >= settings.lost_link_per_ip_per_hour
    )


def matching_teacher(session: Session, staff_no: str | None, phone: str | None) -> Teacher | None:
    """The active teacher with this staff number and this phone on the roster, if any."""
    if staff_no is None or phone is None:
        return None
    ring = key_ring()
    return session.scalars(
        select(Teacher).where(
            Teacher.staff_no_index == lookup_index(ring, "staff_no", staff_no),
            Teacher.phone_index == lookup_index(ring, "phone", phone),
            Teacher.is_active.is_(True),
        )
    ).one_or_none()


def request_new_link(
    session: Session, settings: Settings, staff_no: str, phone: str, address: str, now: dt.datetime
) -> Outcome:
    """Record the request and, when the roster matches, queue the link to the roster contact."""
    number = _clean(parse_staff_no, staff_no)
    ring = key_ring()
    staff_key = lookup_index(ring, "lost_link", f"staff:{number or staff_no}")
    ip_key = lookup_index(ring, "lost_link", f"ip:{address}")
    if is_throttled(session, settings, staff_key, ip_key, now):
        return Outcome.THROTTLED
    session.add_all([LostLinkAttempt(key=staff_key, at=now), LostLinkAttempt(key=ip_key, at=now)])
    teacher = matching_teacher(session, number, _clean(parse_phone, phone))
    if teacher is not None:
        for invitation in _open_invitations(session, teacher, now):
            if enqueue_relink(session, settings, invitation, now):
                record(session, "anonymous", "invitation.relink", object_type="invitation",
                       object_id=invitation.id)  # fmt: skip
    session.flush()
    return Outcome.ACCEPTED


def _open_invitations(session: Session, teacher: Teacher, now: dt.datetime) -> list[Invitation]:
    rows = session.scalars(
        select(Invitation)
        .join(Wave, Wave.id == Invitation.wave_id)
        .where(Invitation.teacher_id == teacher.id, Wave.state == WaveState.OPEN)
    ).all()
    school = session.get(School, teacher.school_id)
    return [i for i in rows if school is not None and wave_accepts_answers(i.wave, school, now)]
