"""A submission reads and scores the draft before it takes the write lock; its writes hold only
if the draft is still the one read. "Meanwhile" is another request's write this request's session
did not see (a Core UPDATE that leaves what the session read as it was). On both databases.
"""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from alerts.routing import RoutingPolicy
from census.models import Invitation, InvitationStatus, Response, Wave
from db import utcnow
from privacy.audit.models import AuditEntry
from survey.teacher import drafts, link, submission
from survey.teacher.flow import WaveNotOpen, page_order
from tests.support.factories.census import DEFAULT_BATTERY, make_consented_invitation, page_values
from tests.support.factories.links import load_link

ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)


def _complete_draft(session: Session) -> tuple[Invitation, Response]:
    """Every page saved (lowest options), and the draft as the submitting request reads it."""
    _, token = make_consented_invitation(session)
    for number in range(1, len(page_order(DEFAULT_BATTERY)) + 1):
        drafts.save_page(
            session,
            *load_link(session, token),
            number,
            page_values(number),
            utcnow(),
            routing=ROUTING,
        )
    found = link.read_entities_with_draft(session, token)
    assert found is not None
    invitation, draft = found
    response = draft.response
    assert response is not None and response.version > 0
    return invitation, response


RECEIPT = "K7QM-3XPA-9RTW"


def _submitted_meanwhile(
    session: Session, invitation: Invitation, response: Response, now: dt.datetime
) -> None:
    """Another request submits the draft; what this session already read stays as it was."""
    session.execute(
        update(Response)
        .where(Response.id == response.id)
        .values(receipt=RECEIPT, submitted_at=now, version=Response.version + 1)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id)
        .values(status=InvitationStatus.SUBMITTED, submitted_at=now)
        .execution_options(synchronize_session=False)
    )


def _submissions(session: Session) -> int:
    entries = select(func.count()).where(AuditEntry.action == "survey.submit")
    return session.scalar(entries.select_from(AuditEntry)) or 0


def test_a_page_saved_meanwhile_refuses_the_submission_and_stores_nothing(
    app: Flask, db_session: Session
) -> None:
    invitation, response = _complete_draft(db_session)
    before = _submissions(db_session)
    db_session.execute(
        update(Response)
        .where(Response.id == response.id)
        .values(version=Response.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(submission.Conflict):
        submission.submit(db_session, invitation, tuple(DEFAULT_BATTERY), utcnow(), routing=ROUTING)
    db_session.expire_all()
    stored = db_session.get(Response, response.id)
    assert stored is not None and stored.receipt is None and stored.submitted_at is None
    invitation_now = db_session.get(Invitation, invitation.id)
    assert invitation_now is not None and invitation_now.status is InvitationStatus.STARTED
    assert _submissions(db_session) == before


def test_a_submission_made_meanwhile_is_replayed_with_its_receipt(
    app: Flask, db_session: Session
) -> None:
    invitation, response = _complete_draft(db_session)
    now = utcnow()
    _submitted_meanwhile(db_session, invitation, response, now)
    before = _submissions(db_session)
    outcome = submission.submit(
        db_session, invitation, tuple(DEFAULT_BATTERY), now, routing=ROUTING
    )
    assert outcome == submission.Submitted(receipt=RECEIPT, replayed=True)
    assert _submissions(db_session) == before


def test_a_wave_closed_meanwhile_refuses_the_submission(app: Flask, db_session: Session) -> None:
    invitation, response = _complete_draft(db_session)
    db_session.execute(
        update(Wave)
        .where(Wave.id == invitation.wave_id)
        .values(closes_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(WaveNotOpen):
        submission.submit(db_session, invitation, tuple(DEFAULT_BATTERY), utcnow(), routing=ROUTING)
    db_session.expire_all()
    stored = db_session.get(Response, response.id)
    assert stored is not None and stored.receipt is None


def test_a_draft_read_after_a_submission_the_invitation_predates_is_a_replay(
    app: Flask, db_session: Session
) -> None:
    # On PostgreSQL two statements of one request may see two moments: the invitation as it was
    # before another request submitted, the draft as it is after. The stored submission stands.
    invitation, response = _complete_draft(db_session)
    now = utcnow()
    _submitted_meanwhile(db_session, invitation, response, now)
    db_session.expire(response)  # the draft is read afresh; the invitation is not
    assert invitation.status is InvitationStatus.STARTED
    before = _submissions(db_session)
    outcome = submission.submit(
        db_session, invitation, tuple(DEFAULT_BATTERY), now, routing=ROUTING
    )
    assert outcome == submission.Submitted(receipt=RECEIPT, replayed=True)
    assert _submissions(db_session) == before
    db_session.expire_all()
    stored = db_session.get(Response, response.id)
    assert stored is not None and stored.receipt == RECEIPT
