"""The teacher's link as read from the database: one read model and its readers.

The link is the invitation behind a token, its wave as the teacher's school sees it
(``WaveView``) and, on the answering pages, its draft (``Draft``). Four readers load it:

- ``read``: the invitation's facts and the wave, for a page that only shows them;
- ``read_with_draft``: the same and the draft, for the answering pages and their quick saves;
- ``lock``: the invitation as an entity, locked for this transaction, and the wave, for a page
  that changes the invitation;
- ``read_entities_with_draft``: the invitation and its draft as entities, unlocked, for the
  submission, which writes both and checks the draft's version when it does.

Most teacher requests only read the link (every page shown, every quick page save), and they are
most of a census's requests. ``read`` and ``read_with_draft`` therefore read plain columns, not
ORM entities: a fraction of the CPU per request (no identity map, no attribute instrumentation,
fewer columns), in one statement that joins the wave's columns (and the draft's) to the
invitation's. Their rows hold the entities' attributes of the same names; ``InvitationFacts`` and
``ResponseFacts`` are either form, the row or the entity, which is all that a reader asks for.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Generic, TypeAlias, TypeVar

from sqlalchemy import Row, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from alerts.door import crisis_case_exists
from census.models import Invitation, InvitationStatus, Response, Wave, WaveState, WaveUnit
from db import begin_for_write
from org.models import School, Teacher
from privacy.vault import open_cell
from scoring.levels import RiskLevel
from survey.invitations.links import is_well_formed, token_hash


@dataclass(frozen=True, slots=True)
class InvitationRow:
    """An invitation as read for a page: a snapshot, never written back. Each field is read
    from the invitation's attribute of the same name."""

    id: uuid.UUID
    wave_id: int
    school_id: int
    # Left out of repr(), as the entity leaves them out: a traceback may print local variables.
    token_hash: bytes = field(repr=False)
    status: InvitationStatus
    pin_hash: str | None = field(repr=False)
    pin_set_at: dt.datetime | None
    pin_locked_until: dt.datetime | None
    consented_at: dt.datetime | None


_RESPONSES = Response.__tablename__


@dataclass(frozen=True, slots=True)
class ResponseRow:
    """A response as read for a page (each field from the attribute of the same name). Answers
    and scores stay sealed until asked for, and open with the binding the model's sealed
    attributes use (table, field, row id)."""

    id: uuid.UUID
    version: int
    pages_saved: int
    receipt: str | None
    risk_level: RiskLevel | None
    answers_sealed: bytes | None = field(repr=False)
    scores_sealed: bytes | None = field(repr=False)
    timings_sealed: bytes | None = field(repr=False)

    @property
    def answers(self) -> str | None:
        """The draft's answers (JSON text)."""
        return open_cell(_RESPONSES, Response.answers.name, self.id, self.answers_sealed)

    @property
    def scores(self) -> str | None:
        """The scores document (JSON text), once submitted."""
        return open_cell(_RESPONSES, Response.scores.name, self.id, self.scores_sealed)

    @property
    def timings(self) -> str | None:
        """Seconds each page was open (JSON text; ``survey.teacher.page_timing``)."""
        return open_cell(_RESPONSES, Response.timings.name, self.id, self.timings_sealed)


# What a teacher's page reads of an invitation or a response: the row, or the entity that a
# page changing the link holds.
InvitationFacts: TypeAlias = InvitationRow | Invitation
ResponseFacts: TypeAlias = ResponseRow | Response
R_co = TypeVar("R_co", bound=ResponseFacts, covariant=True)


@dataclass(frozen=True)
class Draft(Generic[R_co]):
    """The invitation's response as read with the link (draft or submitted; None before
    consent, or until the first saved page for consent given before drafts were made at
    consent) and whether it has a crisis case, in any state (then the help lines lead every
    page, whatever staff have done since)."""

    response: R_co | None
    crisis: bool


@dataclass(frozen=True)
class WaveView:
    """What a teacher's pages need of their wave, read with the invitation in one statement:
    no wave object, no list of units, on every request."""

    id: int
    battery: tuple[str, ...]
    state: WaveState
    opens_at: dt.datetime | None  # for this teacher's school; None when outside the population
    closes_at: dt.datetime
    battery_locked: bool

    def takes_answers(self, now: dt.datetime) -> bool:
        """Whether the wave is open for this school right now."""
        return (
            self.state is WaveState.OPEN
            and self.opens_at is not None
            and self.opens_at <= now < self.closes_at
        )


# Every teacher page needs a little of its wave: the battery, the state and the window for the
# teacher's school. The statement reads them beside the invitation as plain columns; the window
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
_BY_TOKEN_FOR_UPDATE = (
    select(Invitation, *_WAVE_COLUMNS)
    .join(Wave, Wave.id == Invitation.wave_id)
    .where(Invitation.token_hash == bindparam("token_hash"))
    .with_for_update(of=Invitation)
)
_INVITATION_COLUMNS = tuple(getattr(Invitation, f.name) for f in fields(InvitationRow))
_BY_TOKEN = (
    select(*_INVITATION_COLUMNS, *_WAVE_COLUMNS)
    .join(Wave, Wave.id == Invitation.wave_id)
    .where(Invitation.token_hash == bindparam("token_hash"))
)
# The answering pages also need the draft and whether it has a crisis case: one statement more
# would cost more than the join.
_RESPONSE_COLUMNS = tuple(getattr(Response, f.name) for f in fields(ResponseRow))
_CRISIS_CASE = crisis_case_exists(Response.id)
_BY_TOKEN_WITH_DRAFT = _BY_TOKEN.add_columns(*_RESPONSE_COLUMNS, _CRISIS_CASE).outerjoin(
    Response, Response.invitation_id == Invitation.id
)
_ENTITIES_WITH_DRAFT = (
    select(Invitation, Response, _CRISIS_CASE)
    .outerjoin(Response, Response.invitation_id == Invitation.id)
    .where(Invitation.token_hash == bindparam("token_hash"))
)
_INVITATION_END = len(_INVITATION_COLUMNS)
_WAVE_END = _INVITATION_END + len(_WAVE_COLUMNS)


def read(session: Session, token: str) -> tuple[InvitationRow, WaveView] | None:
    """The invitation behind ``token`` and its wave, as plain values; garbage tokens never
    reach the database."""
    if not is_well_formed(token):
        return None
    row = _plain(session, _BY_TOKEN, token)
    return None if row is None else _invitation_and_wave(row)


def read_with_draft(
    session: Session, token: str
) -> tuple[InvitationRow, WaveView, Draft[ResponseRow]] | None:
    """The invitation behind ``token``, its wave and its draft, as plain values, in one
    statement."""
    if not is_well_formed(token):
        return None
    row = _plain(session, _BY_TOKEN_WITH_DRAFT, token)
    if row is None:
        return None
    invitation, wave = _invitation_and_wave(row)
    *columns, crisis = row[_WAVE_END:]
    response = ResponseRow(*columns) if columns[0] is not None else None  # no draft yet
    return invitation, wave, Draft(response=response, crisis=bool(crisis))


def lock(session: Session, token: str) -> tuple[Invitation, WaveView] | None:
    """The invitation behind ``token`` as an entity, locked for this transaction (one writer
    per teacher), and its wave."""
    if not is_well_formed(token):
        return None
    begin_for_write(session)
    row = session.execute(_BY_TOKEN_FOR_UPDATE, {"token_hash": token_hash(token)}).one_or_none()
    return None if row is None else (row[0], _wave_of(row[0].wave_id, row[1:]))


def read_entities_with_draft(
    session: Session, token: str
) -> tuple[Invitation, Draft[Response]] | None:
    """The invitation behind ``token`` and its draft as entities, in one statement, unlocked:
    for a writer that checks what it read when it writes (the submission)."""
    if not is_well_formed(token):
        return None
    row = session.execute(_ENTITIES_WITH_DRAFT, {"token_hash": token_hash(token)}).one_or_none()
    if row is None:
        return None
    invitation, response, crisis = row
    return invitation, Draft(response=response, crisis=bool(crisis))


def _plain(session: Session, statement: Select[Any], token: str) -> Row[Any] | None:
    # On the session's connection, as Core: the rows are plain values, not entities.
    result = session.connection().execute(statement, {"token_hash": token_hash(token)})
    return result.one_or_none()


def _invitation_and_wave(row: Row[Any]) -> tuple[InvitationRow, WaveView]:
    invitation = InvitationRow(*row[:_INVITATION_END])
    return invitation, _wave_of(invitation.wave_id, row[_INVITATION_END:_WAVE_END])


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
