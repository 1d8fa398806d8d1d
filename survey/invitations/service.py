"""One invitation per active teacher per wave, created idempotently; only the token's hash is kept.

The token comes from ``survey.invitations.links`` (an HMAC of the invitation id under the key
ring's ``link`` secret), so a reminder or a reprinted sheet re-derives the same link and the
database alone holds no working one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from census.models import Invitation, InvitationStatus, Wave
from config.settings import Settings
from privacy.keys import KeyRing
from survey.invitations.links import link_token, token_hash
from survey.waves.population import active_teachers

CHUNK = 500
# Teachers who may still answer: reminders and invitations go only to them.
AWAITING = (InvitationStatus.INVITED, InvitationStatus.STARTED)


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """``items`` in lists of at most ``size`` (for IN lists and bulk inserts)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def link_url(settings: Settings, ring: KeyRing, invitation_id: uuid.UUID) -> str:
    """The teacher's personal link: ``<base_url>/s/<token>``."""
    return f"{settings.base_url.rstrip('/')}/s/{link_token(ring, invitation_id)}"


def _insert_ignoring_duplicates(session: Session, wave_id: int, rows: list[dict[str, Any]]) -> int:
    table = cast(Table, Invitation.__table__)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).on_conflict_do_nothing(index_elements=["wave_id", "teacher_id"])
    before = _count(session, wave_id)
    for part in chunks(rows):
        session.execute(stmt, part)
    # Counted, not summed from rowcount: drivers report executemany rowcounts differently.
    return _count(session, wave_id) - before


def _count(session: Session, wave_id: int) -> int:
    query = select(func.count()).select_from(Invitation).where(Invitation.wave_id == wave_id)
    return int(session.scalar(query) or 0)


def ensure_invitations(session: Session, wave: Wave, ring: KeyRing, now: dt.datetime) -> int:
    """Invite every active teacher of the population not yet invited; returns how many were new.

    Safe to run twice, and from two processes at once: the (wave, teacher) pair is unique and a
    duplicate insert is ignored.
    """
    invited = set(
        session.scalars(select(Invitation.teacher_id).where(Invitation.wave_id == wave.id))
    )
    rows = []
    for teacher_id, school_id in active_teachers(session, wave):
        if teacher_id in invited:
            continue
        invitation_id = uuid.uuid4()
        rows.append(
            {
                "id": invitation_id,
                "wave_id": wave.id,
                "teacher_id": teacher_id,
                "school_id": school_id,
                "token_hash": token_hash(link_token(ring, invitation_id)),
                "status": InvitationStatus.INVITED,
                "pin_failures": 0,
                "created_at": now,
            }
        )
    created = _insert_ignoring_duplicates(session, wave.id, rows) if rows else 0
    session.flush()
    return created


def status_counts(session: Session, wave_id: int) -> dict[str, int]:
    """How many invitations of the wave stand in each status."""
    rows = session.execute(
        select(Invitation.status, func.count())
        .where(Invitation.wave_id == wave_id)
        .group_by(Invitation.status)
    )
    counts = {status.value: 0 for status in InvitationStatus}
    counts.update({InvitationStatus(s).value: int(n) for s, n in rows})
    return counts


def awaiting(session: Session, wave_id: int) -> Iterable[Invitation]:
    """Invitations of the wave whose teacher has not submitted, declined or withdrawn."""
    return session.scalars(
        select(Invitation).where(Invitation.wave_id == wave_id, Invitation.status.in_(AWAITING))
    )
