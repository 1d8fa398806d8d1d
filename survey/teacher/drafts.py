"""Saving one page of answers as a sealed draft, and acting on the safety item at once.

Each page save replaces that page's answers in the response's sealed JSON and records how far
the teacher got. When the saved page is PHQ-9 and item 9 is endorsed, the crisis case opens in
the same transaction — before, and whether or not, the teacher ever submits.

Most saves are read, merged and sealed without a lock and written by one guarded UPDATE (the
version column), so that SQLite's single write lock, shared by every teacher, is held briefly.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from sqlalchemy import CursorResult, Table, bindparam, exists, insert, select, update
from sqlalchemy.orm import Session

from alerts.door import RoutingPolicy, crisis_case_exists, open_case
from census.models import Invitation, InvitationStatus, Response, Wave, WaveState
from db import begin_for_write
from instruments import Instrument
from privacy.vault import seal_cell
from scoring import score_battery
from scoring.levels import RiskLevel
from scoring.policy import RiskPolicy
from survey.teacher.flow import (
    AlreadySubmitted,
    FlowError,
    WaveNotOpen,
    compiled_battery,
    page_instruments,
)
from survey.teacher.link import Draft, InvitationFacts, ResponseFacts, WaveView, pseudonym_of
from survey.teacher.page_timing import add_seconds
from survey.teacher.referral import referral_of


class NoSuchPage(FlowError):
    """A page number outside the battery."""

    status = 404
    reason = "page"


@dataclass(frozen=True)
class PageSaved:
    """The draft's answers after a save, and whether it has a crisis case (then the help lines
    lead every page)."""

    answers: dict[str, int]
    crisis: bool


def response_of(session: Session, invitation: InvitationFacts) -> Response | None:
    """The invitation's response (draft or submitted), if it has one (made at consent, or at the
    first saved page for consent given before drafts were made there)."""
    return session.scalars(_RESPONSE, {"invitation_id": invitation.id}).one_or_none()


def stored_answers(response: ResponseFacts | None) -> dict[str, int]:
    """The draft's answers by item id (empty when nothing was saved)."""
    if response is None:
        return {}
    raw = response.answers
    return dict(json.loads(raw)) if raw else {}


_RESPONSE = select(Response).where(Response.invitation_id == bindparam("invitation_id"))
_WITH_CRISIS = select(Response, crisis_case_exists(Response.id)).where(
    Response.invitation_id == bindparam("invitation_id")
)
_WITH_CRISIS_LOCKED = _WITH_CRISIS.with_for_update(of=Response)


def response_and_crisis(
    session: Session, invitation: InvitationFacts, *, lock: bool = False
) -> tuple[Response | None, bool]:
    """The invitation's response and whether it has a crisis case (in any state), in one
    statement (what every answering page needs: the draft, and whether the help lines come first);
    ``lock`` locks the response row until the transaction ends (PostgreSQL)."""
    statement = _WITH_CRISIS_LOCKED if lock else _WITH_CRISIS
    row = session.execute(statement, {"invitation_id": invitation.id}).one_or_none()
    return (row[0], bool(row[1])) if row is not None else (None, False)


def ensure_answerable(invitation: InvitationFacts) -> None:
    """Raise unless the invitation is consented and not yet submitted."""
    if invitation.status is InvitationStatus.SUBMITTED:
        raise AlreadySubmitted()
    if invitation.status is not InvitationStatus.STARTED or invitation.consented_at is None:
        raise FlowError()


_WAVE_STILL_OPEN = select(Wave.id).where(
    Wave.id == bindparam("wave_id"),
    Wave.state == WaveState.OPEN,
    Wave.closes_at > bindparam("now"),
)


def ensure_wave_open(session: Session, wave_id: int, now: dt.datetime) -> None:
    """Raise WaveNotOpen unless the wave is open now: for a writer that checked it before it
    took the lock (the teacher's school was checked then; that part cannot change back)."""
    if session.scalar(_WAVE_STILL_OPEN, {"wave_id": wave_id, "now": now}) is None:
        raise WaveNotOpen()


def save_page(
    session: Session,
    invitation: InvitationFacts,
    wave: WaveView,
    page: int,
    answers: Mapping[str, int],
    now: dt.datetime,
    read: Draft[ResponseFacts] | None = None,
    *,
    routing: RoutingPolicy,
    seconds: float | None = None,
) -> PageSaved:
    """Replace page ``page``'s answers in the sealed draft; open a crisis case when called for,
    routed under ``routing``. ``read`` is the draft as the caller read it with the invitation
    (read here if not given). ``seconds`` the page was open is added to the sealed timings
    (None: unknown, ``survey.teacher.page_timing``).

    The caller has read ``invitation`` without locking it. Most saves change the draft alone:
    it is read, merged and sealed first, then written by one UPDATE that holds only if the draft
    is still the one read, so SQLite's single write lock is taken only for that statement (and
    the caller's commit). The draft is made at consent (``new_draft``). The wave's first save
    (it locks the battery), a save that finds no draft, a save that calls for a crisis case, and
    a save that finds the draft changed since it was read are made whole under the lock instead.
    ``crisis`` on a quick save is as read before the write: a case another tab opened a moment
    ago shows from the next page on.
    """
    instrument = _instrument(wave, page)
    ensure_answerable(invitation)
    # Only this page's own items can call for a crisis case, and they all come from this post.
    crisis_reasons = safety_reasons(instrument, answers)
    response, crisis = (
        (read.response, read.crisis)
        if read is not None
        else response_and_crisis(session, invitation)
    )
    merged = _merged(stored_answers(response), instrument, answers)
    if (
        response is not None
        and wave.battery_locked
        and not crisis_reasons
        and _replace_draft(
            session, response, merged, page, now, _timed(response, instrument, seconds)
        )
    ):
        return PageSaved(answers=merged, crisis=crisis)
    saved = PagePost(page, answers, seconds)
    return _save_locked(session, invitation.id, wave, saved, crisis_reasons, now, routing)


@dataclass(frozen=True)
class PagePost:
    """What one post saves: its page number, its answers, how long it was open (None unknown)."""

    number: int
    answers: Mapping[str, int]
    seconds: float | None


def _timed(response: ResponseFacts | None, instrument: Instrument, seconds: float | None) -> str:
    """The response's timings (JSON text) with this save's ``seconds`` added to its page's."""
    return add_seconds(response.timings if response is not None else None, instrument.id, seconds)


def _instrument(wave: WaveView, page: int) -> Instrument:
    instruments = page_instruments(wave.battery)
    if not 1 <= page <= len(instruments):
        raise NoSuchPage()
    return instruments[page - 1]


def _merged(
    stored: Mapping[str, int], instrument: Instrument, answers: Mapping[str, int]
) -> dict[str, int]:
    merged = {k: v for k, v in stored.items() if k not in _ids(instrument)}
    merged.update(answers)
    return merged


# Built once: constructing an UPDATE costs far more than running it, and it would be
# constructed while holding the lock. It writes only if the draft is still the one read and the
# link and the wave still take answers. On PostgreSQL only the version is re-checked against a
# row changed meanwhile (the EXISTS clauses see the statement's snapshot): so whatever stops a
# teacher answering — submission, withdrawal, erasure — must move the draft's version on.
_RESPONSES = cast(Table, Response.__table__)
_REPLACE_DRAFT = (
    update(_RESPONSES)
    .where(
        _RESPONSES.c.id == bindparam("response_id"),
        _RESPONSES.c.version == bindparam("read_version"),
        exists().where(
            Invitation.id == _RESPONSES.c.invitation_id,
            Invitation.status == InvitationStatus.STARTED,
        ),
        exists().where(
            Wave.id == _RESPONSES.c.wave_id,
            Wave.state == WaveState.OPEN,
            Wave.closes_at > bindparam("saved_at"),
        ),
    )
    .values(
        answers=bindparam("sealed_answers", type_=_RESPONSES.c.answers.type),
        timings=bindparam("sealed_timings", type_=_RESPONSES.c.timings.type),
        pages_saved=bindparam("new_pages_saved", type_=_RESPONSES.c.pages_saved.type),
        version=_RESPONSES.c.version + 1,
        updated_at=bindparam("saved_at", type_=_RESPONSES.c.updated_at.type),
    )
)


def _replace_draft(
    session: Session,
    response: ResponseFacts,
    merged: Mapping[str, int],
    page: int,
    now: dt.datetime,
    timings: str,
) -> bool:
    """Write the merged draft if nothing changed it since it was read (False otherwise)."""
    params = {
        "response_id": response.id,
        "read_version": response.version,
        "sealed_answers": seal_cell(_RESPONSES.name, "answers", response.id, _json(merged)),
        "sealed_timings": seal_cell(_RESPONSES.name, "timings", response.id, timings),
        "new_pages_saved": max(response.pages_saved or 0, page),
        "saved_at": now,
    }
    begin_for_write(session)
    written = session.execute(_REPLACE_DRAFT, params)
    if isinstance(response, Response):
        session.expire(response)  # what this session read of it is no longer true either way
    return cast(CursorResult[Any], written).rowcount == 1


def _save_locked(
    session: Session,
    invitation_id: uuid.UUID,
    wave: WaveView,
    post: PagePost,
    crisis_reasons: list[str],
    now: dt.datetime,
    routing: RoutingPolicy,
) -> PageSaved:
    """The whole save under the lock, from a fresh read of the invitation and its draft."""
    begin_for_write(session)
    session.expire_all()
    invitation = session.scalars(
        select(Invitation).where(Invitation.id == invitation_id).with_for_update()
    ).one()
    ensure_answerable(invitation)
    ensure_wave_open(session, invitation.wave_id, now)
    page, answers = post.number, post.answers
    instrument = _instrument(wave, page)
    # The draft is locked too: a save from another tab takes no lock on the invitation.
    response, crisis = response_and_crisis(session, invitation, lock=True)
    if response is None:
        new_draft(session, invitation, pseudonym_of(session, invitation), now)
        response, crisis = response_and_crisis(session, invitation, lock=True)
    if response is None:
        raise RuntimeError("the draft just made was not found")
    merged = _merged(stored_answers(response), instrument, answers)
    response.answers = _json(merged)
    response.timings = _timed(response, instrument, post.seconds)
    response.pages_saved = max(response.pages_saved or 0, page)
    response.updated_at = now
    if not wave.battery_locked:  # only the wave's first save writes
        lock_battery(session, wave.id, now)
    session.flush()
    if crisis_reasons:
        # Opened now, or raised to crisis (never lowered) if the response already had a case.
        open_case(
            session, referral_of(response, RiskLevel.CRISIS, crisis_reasons), now, routing=routing
        )
    return PageSaved(answers=merged, crisis=crisis or bool(crisis_reasons))


def _json(answers: Mapping[str, int]) -> str:
    return json.dumps(answers, sort_keys=True)


def _ids(instrument: Instrument) -> set[str]:
    return {item.id for item in instrument.items}


# Built once, like the draft's UPDATE: every teacher's consent runs it.
_NEW_DRAFT = insert(_RESPONSES).values(
    pages_saved=0,
    version=1,  # where the model's version counter starts
)


def new_draft(
    session: Session, invitation: InvitationFacts, pseudonym: str, now: dt.datetime
) -> None:
    """Make the invitation's empty draft, under the teacher's ``pseudonym``. Made when the
    teacher consents, while the invitation is locked, so that the first page is saved as quickly
    as the others; a save that finds none (consent given before drafts were made there) makes it.
    One INSERT: nothing in it is sealed, and no entity is needed."""
    session.execute(
        _NEW_DRAFT,
        {
            "id": uuid.uuid4(),
            "wave_id": invitation.wave_id,
            "pseudonym": pseudonym,
            "school_id": invitation.school_id,
            "invitation_id": invitation.id,
            "created_at": now,
            "updated_at": now,
        },
    )


def lock_battery(session: Session, wave_id: int, now: dt.datetime) -> None:
    """Record the time of the wave's first saved answer: its battery cannot change after it.
    A later call leaves the first time as it is."""
    session.execute(
        update(Wave)
        .where(Wave.id == wave_id, Wave.battery_locked_at.is_(None))
        .values(battery_locked_at=now)
        .execution_options(synchronize_session=False)
    )


def safety_reasons(
    instrument: Instrument, answers: Mapping[str, int], policy: RiskPolicy | None = None
) -> list[str]:
    """Rule ids that make this one instrument's partial answers a crisis (empty otherwise)."""
    if not instrument.safety_items:
        return []
    row = np.array(
        [[answers.get(item.id, math.nan) for item in instrument.items]], dtype=np.float64
    )
    if policy is None:
        result = score_battery(compiled_battery((instrument.id,)), row)
    else:
        result = score_battery([instrument.id], row, policy)
    if RiskLevel.from_code(result.level[0]) is not RiskLevel.CRISIS:
        return []
    return rule_ids(int(result.reasons[0]), result.policy)


def rule_ids(mask: int, policy: RiskPolicy) -> list[str]:
    """The ids of the policy rules whose bits are set in ``mask``."""
    return [rule.id for rule in policy.rules if mask >> rule.index & 1]
