"""What a teacher's page reads of the link: the invitation's facts and its draft, as plain values.

Most teacher requests only read the link (every page shown, every quick page save), and they are
most of a census's requests. Read as plain columns instead of ORM entities, the link costs a
fraction of the CPU per request (no identity map, no attribute instrumentation, fewer columns).
Pages that change the invitation read it as an entity, locked
(``survey.teacher.gate.load_for_write``). Both kinds satisfy the protocols here, which is all that
readers ask for.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Protocol

from census.models import InvitationStatus, Response
from privacy.vault import open_cell
from scoring.levels import RiskLevel


class InvitationFacts(Protocol):
    """What the teacher's pages read of an invitation."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def wave_id(self) -> int: ...
    @property
    def school_id(self) -> int: ...
    @property
    def token_hash(self) -> bytes: ...
    @property
    def status(self) -> InvitationStatus: ...
    @property
    def pin_hash(self) -> str | None: ...
    @property
    def pin_set_at(self) -> dt.datetime | None: ...
    @property
    def pin_locked_until(self) -> dt.datetime | None: ...
    @property
    def consented_at(self) -> dt.datetime | None: ...


class ResponseFacts(Protocol):
    """What the teacher's pages read of a response (draft or submitted)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def version(self) -> int: ...
    @property
    def pages_saved(self) -> int: ...
    @property
    def receipt(self) -> str | None: ...
    @property
    def risk_level(self) -> RiskLevel | None: ...
    @property
    def answers(self) -> str | None: ...
    @property
    def scores(self) -> str | None: ...


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

    @property
    def answers(self) -> str | None:
        """The draft's answers (JSON text)."""
        return open_cell(_RESPONSES, Response.answers.name, self.id, self.answers_sealed)

    @property
    def scores(self) -> str | None:
        """The scores document (JSON text), once submitted."""
        return open_cell(_RESPONSES, Response.scores.name, self.id, self.scores_sealed)


@dataclass(frozen=True)
class DraftRow:
    """The invitation's response as read with the link (None before consent, or until the first
    saved page for consent given before drafts were made at consent) and
    whether it has a crisis case, in any state (then the help lines lead every page, whatever
    staff have done since)."""

    response: ResponseFacts | None
    crisis: bool
