"""Saving a page reads the draft first and writes it with one guarded UPDATE; whatever changed
the draft or the invitation between the read and the write wins, and the save is then made
again under the lock from a fresh read. On both databases.

"Meanwhile" below is another request's write that this request's session did not see: a Core
UPDATE that leaves the objects this session already read as they were.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts.models import Case
from alerts.routing import RoutingPolicy
from census.models import Invitation, InvitationStatus, Response, Wave, WaveState
from db import utcnow
from privacy.vault import seal_cell
from scoring.levels import RiskLevel
from survey.teacher import drafts
from survey.teacher.flow import AlreadySubmitted, FlowError, WaveNotOpen, page_order
from survey.teacher.link import WaveView
from tests.support.factories.census import DEFAULT_BATTERY, make_consented_invitation, page_values
from tests.support.factories.links import load_link

ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)

PAGES = page_order(DEFAULT_BATTERY)


def _first_page_saved(session: Session) -> tuple[Invitation, WaveView, Response]:
    """A consented teacher whose first page is saved (the draft exists, the battery is locked),
    and the draft as this request reads it."""
    invitation, token = make_consented_invitation(session)
    _, wave = load_link(session, token)
    drafts.save_page(session, invitation, wave, 1, page_values(1), utcnow(), routing=ROUTING)
    _, wave = load_link(session, token)
    assert wave.battery_locked
    response = drafts.response_of(session, invitation)
    assert response is not None
    return invitation, wave, response


def _stored(session: Session, invitation: Invitation) -> tuple[dict[str, int], int, int]:
    session.expire_all()
    response = drafts.response_of(session, invitation)
    assert response is not None
    return drafts.stored_answers(response), response.version, response.pages_saved


def test_an_ordinary_save_merges_bumps_the_version_once_and_keeps_how_far_the_teacher_got(
    app: Flask, db_session: Session
) -> None:
    invitation, wave, response = _first_page_saved(db_session)
    version = response.version
    now = utcnow()
    drafts.save_page(db_session, invitation, wave, 3, page_values(3), now, routing=ROUTING)
    saved = drafts.save_page(db_session, invitation, wave, 2, page_values(2), now, routing=ROUTING)
    answers, new_version, pages_saved = _stored(db_session, invitation)
    assert answers == saved.answers == {**page_values(1), **page_values(2), **page_values(3)}
    assert new_version == version + 2
    assert pages_saved == 3  # going back to page 2 does not forget page 3
    assert not saved.crisis


def test_a_save_keeps_a_page_saved_meanwhile(app: Flask, db_session: Session) -> None:
    invitation, wave, response = _first_page_saved(db_session)
    meanwhile = {**page_values(1), **page_values(3)}
    sealed = seal_cell("responses", "answers", response.id, json.dumps(meanwhile))
    db_session.execute(
        update(Response)
        .where(Response.id == response.id)
        .values(answers_sealed=sealed, pages_saved=3, version=Response.version + 1)
        .execution_options(synchronize_session=False)
    )
    saved = drafts.save_page(
        db_session, invitation, wave, 2, page_values(2), utcnow(), routing=ROUTING
    )
    answers, _, pages_saved = _stored(db_session, invitation)
    assert answers == saved.answers == {**meanwhile, **page_values(2)}
    assert pages_saved == 3


@pytest.mark.parametrize("version_moved", [True, False])
def test_a_draft_submitted_meanwhile_takes_no_more_answers(
    app: Flask, db_session: Session, version_moved: bool
) -> None:
    invitation, wave, response = _first_page_saved(db_session)
    before = page_values(1)
    now = utcnow()
    db_session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id)
        .values(status=InvitationStatus.SUBMITTED, submitted_at=now)
        .execution_options(synchronize_session=False)
    )
    db_session.execute(
        update(Response)
        .where(Response.id == response.id)
        .values(
            submitted_at=now,
            version=Response.version + (1 if version_moved else 0),
        )
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(AlreadySubmitted):
        drafts.save_page(db_session, invitation, wave, 2, page_values(2), now, routing=ROUTING)
    assert _stored(db_session, invitation)[0] == before


def test_consent_withdrawn_meanwhile_takes_no_more_answers(app: Flask, db_session: Session) -> None:
    # Only the invitation changes here: the UPDATE's own check on it must refuse the write. A
    # second teacher still answering makes sure the check looks at this draft's invitation.
    _first_page_saved(db_session)
    invitation, wave, _ = _first_page_saved(db_session)
    db_session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id)
        .values(status=InvitationStatus.WITHDRAWN, withdrawn_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(FlowError):
        drafts.save_page(db_session, invitation, wave, 2, page_values(2), utcnow(), routing=ROUTING)
    assert _stored(db_session, invitation)[0] == page_values(1)


def test_a_safety_answer_on_a_later_save_of_the_page_opens_the_crisis_case(
    app: Flask, db_session: Session
) -> None:
    invitation, wave, response = _first_page_saved(db_session)
    assert PAGES[0] == "phq9"
    later = utcnow() + dt.timedelta(minutes=5)
    saved = drafts.save_page(
        db_session, invitation, wave, 1, page_values(1, phq9_9=1), later, routing=ROUTING
    )
    assert saved.crisis
    case = db_session.scalars(select(Case).where(Case.response_id == response.id)).one()
    assert case.level is RiskLevel.CRISIS and case.opened_at == later
    # Every later page shows the help lines first, though that save opened nothing.
    assert drafts.save_page(
        db_session, invitation, wave, 2, page_values(2), later, routing=ROUTING
    ).crisis


def test_a_wave_closed_meanwhile_takes_no_more_answers(app: Flask, db_session: Session) -> None:
    invitation, wave, _ = _first_page_saved(db_session)
    db_session.execute(
        update(Wave)
        .where(Wave.id == invitation.wave_id)
        .values(state=WaveState.CLOSED)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(WaveNotOpen):
        drafts.save_page(db_session, invitation, wave, 2, page_values(2), utcnow(), routing=ROUTING)
    assert _stored(db_session, invitation)[0] == page_values(1)
