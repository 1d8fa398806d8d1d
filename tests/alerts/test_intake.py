"""Opening cases and outreach from the survey: idempotent, never lowered, on both databases."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from alerts.intake import open_case, open_outreach, request_talk
from alerts.models import Case, CaseState, Outreach, OutreachState
from alerts.routing import RoutingPolicy
from db import utcnow
from scoring.levels import RiskLevel
from survey.teacher.referral import referral_of
from tests.support.factories.census import make_response

ITEM9 = "phq9_item9_endorsed"
ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)


def test_a_crisis_case_opens_once_per_response(db_session: Session) -> None:
    response = make_response(db_session)
    now = utcnow()
    crisis = referral_of(response, RiskLevel.CRISIS, [ITEM9])
    first = open_case(db_session, crisis, now, routing=ROUTING)
    again = open_case(db_session, crisis, now, routing=ROUTING)
    assert first.id == again.id
    assert db_session.query(Case).count() == 1
    assert first.acknowledge_due_at == now + dt.timedelta(hours=2)
    assert json.loads(first.reasons or "[]") == ["phq9_item9_endorsed"]


def test_a_later_milder_level_never_lowers_a_case(db_session: Session) -> None:
    response = make_response(db_session)
    case = open_case(
        db_session, referral_of(response, RiskLevel.CRISIS, [ITEM9]), utcnow(), routing=ROUTING
    )
    open_case(
        db_session,
        referral_of(response, RiskLevel.HIGH, ["gad7_total_15_plus"]),
        utcnow(),
        routing=ROUTING,
    )
    assert case.level is RiskLevel.CRISIS and case.state is CaseState.NEW
    assert set(json.loads(case.reasons or "[]")) == {"phq9_item9_endorsed", "gad7_total_15_plus"}


def test_a_more_urgent_level_raises_the_case_and_tightens_its_deadline(db_session: Session) -> None:
    response = make_response(db_session)
    case = open_case(
        db_session,
        referral_of(response, RiskLevel.HIGH, ["k10_total_30_plus"]),
        utcnow(),
        routing=ROUTING,
    )
    before = case.contact_due_at
    open_case(
        db_session, referral_of(response, RiskLevel.CRISIS, [ITEM9]), utcnow(), routing=ROUTING
    )
    assert case.level is RiskLevel.CRISIS
    assert case.acknowledge_due_at is not None and case.contact_due_at <= before


def test_outreach_is_offered_once_and_becomes_a_case_when_the_teacher_asks(
    db_session: Session,
) -> None:
    response = make_response(db_session)
    moderate = referral_of(response, RiskLevel.MODERATE, [])
    outreach = open_outreach(db_session, moderate, utcnow())
    assert open_outreach(db_session, moderate, utcnow()).id == outreach.id
    case = request_talk(db_session, moderate, utcnow(), routing=ROUTING)
    assert outreach.state is OutreachState.REQUESTED and outreach.case_id == case.id
    assert case.level is RiskLevel.MODERATE and case.acknowledge_due_at is None
    assert request_talk(db_session, moderate, utcnow(), routing=ROUTING).id == case.id
    assert db_session.query(Outreach).count() == 1 and db_session.query(Case).count() == 1
