"""The case service on both databases: routing, transitions, reveal, claims, withdrawal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import StaffAccount
from accounts.roles import Role
from alerts.case_models import CaseEvent
from alerts.cases import CaseRefused, apply_step, reveal_identity
from alerts.handover import Override, claim, reassign, take_up_outreach
from alerts.intake import open_case, open_outreach
from alerts.models import Case, CaseState, OutreachState
from alerts.routing import RoutingPolicy
from alerts.states import Action, CaseOptions, IllegalTransition, Step
from census.models import Invitation, InvitationStatus, Response
from db import utcnow
from privacy.audit.models import AuditEntry
from scoring.levels import RiskLevel
from survey.teacher.consent import withdraw
from survey.teacher.referral import referral_of
from tests.support.factories.census import make_response
from tests.support.factories.org import make_school, make_teacher
from tests.support.factories.staff import make_account

# The routing and case options the test settings configure (their defaults).
ROUTING, OPTIONS = RoutingPolicy(), CaseOptions()

CRISIS = ["phq9_item9_endorsed"]

Place = dict[str, Any]


def _state(case: Case) -> CaseState:
    # Read afresh, so that mypy does not carry an earlier assert's narrowing across calls.
    return case.state


@pytest.fixture
def place(db_session: Session) -> dict[str, object]:
    a = make_school(db_session, "甲校", "一区")
    b = make_school(db_session, "乙校", "一区")
    c = make_school(db_session, "丙校", "一区")
    return {"a": a, "b": b, "c": c}


def _audits(session: Session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_new_case_goes_to_the_least_loaded_eligible_psychologist(
    db_session: Session, place: Place
) -> None:
    a, b, c = place["a"], place["b"], place["c"]
    colleague = make_account(db_session, Role.PSYCHOLOGIST, home=a, schools=[a])
    busy = make_account(db_session, Role.PSYCHOLOGIST, home=c, schools=[a, b])
    light = make_account(db_session, Role.PSYCHOLOGIST, home=c, schools=[a])
    now = utcnow()
    open_case(
        db_session,
        referral_of(make_response(db_session, make_teacher(db_session, b)), RiskLevel.HIGH, []),
        now,
        routing=ROUTING,
    )
    assert db_session.scalars(select(Case)).one().assignee_id == busy.id
    case = open_case(
        db_session,
        referral_of(
            make_response(db_session, make_teacher(db_session, a)), RiskLevel.CRISIS, CRISIS
        ),
        now,
        routing=ROUTING,
    )
    assert case.assignee_id == light.id  # not the colleague at 甲校, not the busier one
    assert colleague.id not in {c.assignee_id for c in db_session.scalars(select(Case))}
    event = db_session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).one()
    assert (event.action, event.assignee_id, event.actor_id) == ("route", light.id, None)


def test_the_psychologist_is_never_given_their_own_case(db_session: Session, place: Place) -> None:
    a, b = place["a"], place["b"]
    psy = make_account(db_session, Role.PSYCHOLOGIST, home=b, schools=[a, b])
    own = db_session.get(type(psy).teacher.property.mapper.class_, psy.teacher_id)
    case = open_case(
        db_session,
        referral_of(make_response(db_session, own), RiskLevel.CRISIS, CRISIS),
        utcnow(),
        routing=ROUTING,
    )
    assert case.assignee_id is None  # the supervisors' unassigned list


def test_at_the_cap_the_case_waits_for_the_supervisors(db_session: Session, place: Place) -> None:
    a, b = place["a"], place["b"]
    psy = make_account(db_session, Role.PSYCHOLOGIST, home=b, schools=[a])
    policy = RoutingPolicy(cap=1)
    first = open_case(
        db_session,
        referral_of(make_response(db_session, make_teacher(db_session, a)), RiskLevel.HIGH, []),
        utcnow(),
        routing=policy,
    )
    second = open_case(
        db_session,
        referral_of(make_response(db_session, make_teacher(db_session, a)), RiskLevel.HIGH, []),
        utcnow(),
        routing=policy,
    )
    assert (first.assignee_id, second.assignee_id) == (psy.id, None)


def test_the_next_wave_opens_a_new_case_linked_to_the_earlier_one(
    db_session: Session, place: Place
) -> None:
    teacher = make_teacher(db_session, place["a"])
    earlier = open_case(
        db_session,
        referral_of(make_response(db_session, teacher), RiskLevel.HIGH, []),
        utcnow() - dt.timedelta(days=90),
        routing=ROUTING,
    )
    later = open_case(
        db_session,
        referral_of(make_response(db_session, teacher), RiskLevel.CRISIS, CRISIS),
        utcnow(),
        routing=ROUTING,
    )
    assert later.id != earlier.id and later.previous_case_id == earlier.id
    assert earlier.previous_case_id is None


def _held_case(
    session: Session, place: Place, level: RiskLevel = RiskLevel.CRISIS
) -> tuple[StaffAccount, Case, Response]:
    psy = make_account(session, Role.PSYCHOLOGIST, home=place["b"], schools=[place["a"]])
    teacher = make_teacher(session, place["a"], name="王老师", phone="13900001111")
    response = make_response(session, teacher)
    case = open_case(session, referral_of(response, level, CRISIS), utcnow(), routing=ROUTING)
    assert case.assignee_id == psy.id
    return psy, case, response


def test_transitions_log_who_when_and_a_sealed_note(db_session: Session, place: Place) -> None:
    psy, case, _ = _held_case(db_session, place)
    now = utcnow()
    apply_step(db_session, case, psy.id, Step(Action.ACKNOWLEDGE), now, options=OPTIONS)
    apply_step(
        db_session, case, psy.id, Step(Action.CONTACT), now, note="谈了二十分钟", options=OPTIONS
    )
    follow = Step(Action.FOLLOW_UP, next_contact_at=now + dt.timedelta(days=3))
    apply_step(db_session, case, psy.id, follow, now, options=OPTIONS)
    assert case.state is CaseState.FOLLOWING_UP and case.next_contact_at == follow.next_contact_at
    apply_step(
        db_session, case, psy.id, Step(Action.CLOSE, outcome="resolved"), now, options=OPTIONS
    )
    assert (case.state, case.outcome, case.closed_at) == (CaseState.CLOSED, "resolved", now)
    events = db_session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.actor_id == psy.id)
    ).all()
    assert [e.action for e in events] == ["acknowledge", "contact", "follow_up", "close"]
    noted = next(e for e in events if e.action == "contact")
    assert noted.note == "谈了二十分钟" and "谈了".encode() not in (noted.note_sealed or b"")
    assert len(_audits(db_session, "case.transition")) == 4


def test_an_illegal_step_or_someone_else_changes_nothing(db_session: Session, place: Place) -> None:
    psy, case, _ = _held_case(db_session, place)
    with pytest.raises(IllegalTransition):
        apply_step(db_session, case, psy.id, Step(Action.REFER, referral="psychiatric_hospital"),
                   utcnow(), options=OPTIONS)  # fmt: skip
    other = make_account(db_session, Role.PSYCHOLOGIST, home=place["c"], schools=[place["a"]])
    with pytest.raises(CaseRefused):
        apply_step(db_session, case, other.id, Step(Action.ACKNOWLEDGE), utcnow(), options=OPTIONS)
    assert case.state is CaseState.NEW


def test_reveal_is_audited_and_refused_to_anyone_but_the_assignee(
    db_session: Session, place: Place
) -> None:
    psy, case, _ = _held_case(db_session, place)
    other = make_account(db_session, Role.PSYCHOLOGIST, home=place["c"], schools=[place["a"]])
    with pytest.raises(CaseRefused):
        reveal_identity(db_session, case, other.id)
    identity = reveal_identity(db_session, case, psy.id)
    assert (identity.name, identity.phone) == ("王老师", "13900001111")
    (entry,) = _audits(db_session, "identity.reveal")
    assert (entry.actor, entry.object_id) == (str(psy.id), str(case.id))


def test_a_supervisor_reveals_only_after_taking_the_case(db_session: Session, place: Place) -> None:
    _, case, _ = _held_case(db_session, place)
    sup = make_account(db_session, Role.SUPERVISOR, home=place["c"],
                       district_id=place["a"].district_id)  # fmt: skip
    with pytest.raises(CaseRefused):
        reveal_identity(db_session, case, sup.id)
    claim(db_session, case, sup.id, utcnow(), supervisor=True, policy=ROUTING)
    assert reveal_identity(db_session, case, sup.id).name == "王老师"


def test_reassignment_follows_the_routing_rules(db_session: Session, place: Place) -> None:
    psy, case, _ = _held_case(db_session, place)
    sup = make_account(db_session, Role.SUPERVISOR, home=place["c"],
                       district_id=place["a"].district_id)  # fmt: skip
    colleague = make_account(db_session, Role.PSYCHOLOGIST, home=place["a"], schools=[place["a"]])
    with pytest.raises(CaseRefused):
        reassign(db_session, case, sup.id, colleague.id, utcnow(), policy=ROUTING)
    other = make_account(db_session, Role.PSYCHOLOGIST, home=place["c"], schools=[place["a"]])
    reassign(db_session, case, sup.id, other.id, utcnow(), policy=ROUTING)
    assert case.assignee_id == other.id
    (entry,) = [e for e in _audits(db_session, "case.assign") if e.actor == str(sup.id)]
    assert entry.detail == {"assignee": str(other.id), "how": "reassign"}
    assert psy.id != case.assignee_id


def test_no_reason_gives_anyone_a_case_about_themselves(db_session: Session, place: Place) -> None:
    a, b = place["a"], place["b"]
    psy = make_account(db_session, Role.PSYCHOLOGIST, home=b, schools=[a, b])
    sup = make_account(db_session, Role.SUPERVISOR, home=place["c"], district_id=a.district_id)
    own = db_session.get(type(psy).teacher.property.mapper.class_, psy.teacher_id)
    case = open_case(
        db_session,
        referral_of(make_response(db_session, own), RiskLevel.CRISIS, CRISIS),
        utcnow(),
        routing=ROUTING,
    )
    with pytest.raises(CaseRefused) as refused:
        reassign(db_session, case, sup.id, psy.id, utcnow(),
                 override=Override("urgent", "无人可接，只能如此"), policy=ROUTING)  # fmt: skip
    assert refused.value.code == "ineligible" and case.assignee_id is None


def test_an_unassigned_case_is_claimed_only_by_an_eligible_psychologist(
    db_session: Session, place: Place
) -> None:
    case = open_case(
        db_session,
        referral_of(
            make_response(db_session, make_teacher(db_session, place["a"])), RiskLevel.HIGH, []
        ),
        utcnow(),
        routing=ROUTING,
    )
    assert case.assignee_id is None
    colleague = make_account(db_session, Role.PSYCHOLOGIST, home=place["a"], schools=[place["a"]])
    with pytest.raises(CaseRefused):
        claim(db_session, case, colleague.id, utcnow(), supervisor=False, policy=ROUTING)
    other = make_account(db_session, Role.PSYCHOLOGIST, home=place["b"], schools=[place["a"]])
    claim(db_session, case, other.id, utcnow(), supervisor=False, policy=ROUTING)
    assert case.assignee_id == other.id


def test_taking_up_an_outreach_makes_a_case_held_by_the_taker(
    db_session: Session, place: Place
) -> None:
    psy = make_account(db_session, Role.PSYCHOLOGIST, home=place["b"], schools=[place["a"]])
    response = make_response(db_session, make_teacher(db_session, place["a"]))
    outreach = open_outreach(db_session, referral_of(response, RiskLevel.MODERATE, []), utcnow())
    case = take_up_outreach(db_session, outreach, psy.id, utcnow(), policy=ROUTING)
    assert (case.level, case.assignee_id) == (RiskLevel.MODERATE, psy.id)
    assert (outreach.state, outreach.case_id) == (OutreachState.TAKEN_UP, case.id)
    with pytest.raises(CaseRefused):
        take_up_outreach(db_session, outreach, psy.id, utcnow(), policy=ROUTING)


def _withdraw(session: Session, response: Response) -> bool:
    invitation = session.get_one(Invitation, response.invitation_id)
    invitation.status = InvitationStatus.SUBMITTED
    return withdraw(session, invitation, utcnow()).kept_contact


def test_withdrawal_closes_open_cases_as_withdrawn(db_session: Session, place: Place) -> None:
    psy, case, response = _held_case(db_session, place, RiskLevel.HIGH)
    apply_step(db_session, case, psy.id, Step(Action.ACKNOWLEDGE), utcnow(), options=OPTIONS)
    assert _withdraw(db_session, response) is False
    assert (case.state, case.outcome) == (CaseState.CLOSED, "withdrawn")
    assert case.reasons is None
    last = db_session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at.desc())
    ).first()
    assert last is not None and (last.action, last.outcome) == ("close", "withdrawn")


def test_withdrawal_keeps_one_crisis_contact_then_closes(db_session: Session, place: Place) -> None:
    psy, case, response = _held_case(db_session, place, RiskLevel.CRISIS)
    assert _withdraw(db_session, response) is True
    assert case.state is CaseState.NEW and case.teacher_withdrew_at is not None
    apply_step(db_session, case, psy.id, Step(Action.ACKNOWLEDGE), utcnow(), options=OPTIONS)
    apply_step(db_session, case, psy.id, Step(Action.ATTEMPT), utcnow(), options=OPTIONS)
    assert _state(case) is CaseState.ACKNOWLEDGED  # an unanswered call is not the contact
    apply_step(
        db_session, case, psy.id, Step(Action.CONTACT), utcnow(), note="已关怀", options=OPTIONS
    )
    assert (case.state, case.outcome) == (CaseState.CLOSED, "withdrawn")
    assert case.reasons is None
