"""Consent, declining and withdrawal on the teacher's link: consent makes the empty draft the
pages fill, declining stores nothing, withdrawal erases answers but keeps a due crisis contact."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from alerts.models import Case, CaseState, Outreach
from census.models import InvitationStatus
from db import utcnow
from privacy.audit.models import AuditEntry
from scoring.levels import RiskLevel
from tests.support.factories.links import Link, invitation_of, make_link, response_of
from tests.support.forms import post_form
from tests.support.teacher import CRISIS, LOW, MODERATE, PIN, finish, page_answers, start


@pytest.fixture
def link(db_session: Session) -> Link:
    return make_link(db_session)


def test_consent_makes_the_empty_draft_that_the_first_page_fills(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    start(client, link.token, link.phone)
    draft = response_of(db_session, link)
    assert draft is not None and draft.answers is None and draft.pages_saved == 0
    teacher = invitation_of(db_session, link).teacher
    assert draft.pseudonym == teacher.pseudonym and draft.submitted_at is None
    assert (
        post_form(client, f"{link.url}/page/1", page_answers("phq9", 0, phq9_1=1)).status_code
        == 200
    )
    saved = response_of(db_session, link)
    assert saved is not None and saved.id == draft.id and saved.pages_saved == 1
    assert saved.answers is not None and '"phq9_1": 1' in saved.answers


@pytest.fixture
def answered_wave(db_session: Session, link: Link) -> Link:
    """The link, in a wave whose battery another teacher's first saved page has locked."""
    invitation_of(db_session, link).wave.battery_locked_at = utcnow()
    db_session.flush()
    return link


def writes_during(app: Flask, action: Callable[[], object]) -> list[str]:
    """The statements ``action`` sends that write or lock rows."""
    engine = app.extensions["xinan.db"].engine
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append(" ".join(statement.split()).upper())

    event.listen(engine, "before_cursor_execute", note)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return [s for s in seen if s.startswith(("INSERT", "UPDATE", "DELETE")) or "FOR UPDATE" in s]


def test_after_consent_the_first_page_is_saved_like_any_other(
    app: Flask, client: FlaskClient, db_session: Session, answered_wave: Link
) -> None:
    link = answered_wave
    start(client, link.token, link.phone)
    page = f"{link.url}/page/1"
    writes = writes_during(app, lambda: post_form(client, page, page_answers("phq9", 0, phq9_1=1)))
    assert len(writes) == 1 and writes[0].startswith("UPDATE RESPONSES"), writes
    saved = response_of(db_session, link)
    assert saved is not None and saved.pages_saved == 1 and '"phq9_1": 1' in (saved.answers or "")


def test_item9_on_the_first_page_after_consent_opens_a_crisis_case(
    client: FlaskClient, db_session: Session, answered_wave: Link
) -> None:
    link = answered_wave
    start(client, link.token, link.phone)
    saved = post_form(client, f"{link.url}/page/1", page_answers("phq9", **{"phq9_9": 1}))
    assert saved.status_code == 200
    case = db_session.scalars(select(Case)).one()
    assert case.level is RiskLevel.CRISIS and case.state is CaseState.NEW
    body = saved.get_data(as_text=True)
    assert body.index('id="helplines"') < body.index('id="stem"')


def test_withdrawing_right_after_consent_leaves_an_empty_withdrawn_draft(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    start(client, link.token, link.phone)
    body = post_form(client, f"{link.url}/withdraw", {"confirm": "yes"}).get_data(as_text=True)
    assert 'id="kept-contact"' not in body
    draft = response_of(db_session, link)
    assert draft is not None and draft.withdrawn_at is not None
    assert draft.answers is None and draft.scores is None and draft.pages_saved == 0
    assert invitation_of(db_session, link).status is InvitationStatus.WITHDRAWN
    assert db_session.scalars(select(Case)).first() is None


def test_declining_stores_nothing_and_ends_the_flow(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    post_form(client, f"{link.url}/confirm", {"digits": link.phone[-4:]})
    post_form(client, f"{link.url}/pin", {"pin": PIN, "repeat": PIN})
    response = post_form(client, f"{link.url}/consent", {"decision": "decline"})
    assert response.status_code == 200 and 'id="declined"' in response.get_data(as_text=True)
    invitation = invitation_of(db_session, link)
    assert invitation.status is InvitationStatus.DECLINED and invitation.consented_at is None
    assert response_of(db_session, link) is None


def test_withdrawal_deletes_answers_but_keeps_the_crisis_contact(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    finish(client, link, CRISIS)
    body = post_form(client, f"{link.url}/withdraw", {"confirm": "yes"}).get_data(as_text=True)
    assert 'id="kept-contact"' in body
    response = response_of(db_session, link)
    assert response is not None and response.withdrawn_at is not None
    assert response.answers is None and response.scores is None and response.risk_level is None
    case = db_session.scalars(select(Case)).one()
    assert case.state is CaseState.NEW and case.teacher_withdrew_at is not None
    assert invitation_of(db_session, link).status is InvitationStatus.WITHDRAWN
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "survey.consent.withdrawn")
    ).one()
    assert entry.detail == {}, "the log keeps the withdrawal, not the teacher's risk level"
    assert "已撤回" in client.get(link.url).get_data(as_text=True)


def test_withdrawal_without_a_crisis_removes_the_outreach(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    finish(client, link, MODERATE)
    body = post_form(client, f"{link.url}/withdraw", {"confirm": "yes"}).get_data(as_text=True)
    assert 'id="kept-contact"' not in body
    assert db_session.query(Outreach).count() == 0 and db_session.query(Case).count() == 0


def test_withdrawal_needs_an_explicit_confirmation(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    finish(client, link, LOW)
    assert post_form(client, f"{link.url}/withdraw", {}).status_code == 400
    assert invitation_of(db_session, link).status is InvitationStatus.SUBMITTED
