"""The app's own routing and case settings reach casework through the pages, never the defaults.

The app here configures what the defaults do not: a psychologist may hold a case about a
colleague at their own school (``route_exclude_own_school = false``), and a case may close as
``moved_away``. Under the defaults every assertion below would fail: the cases would wait
unassigned, the claim and the take-up be refused, and the outcome be turned down.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from accounts.roles import Role
from alerts.intake import open_case, open_outreach
from alerts.models import Case, CaseState, Outreach, OutreachState
from alerts.routing import RoutingPolicy
from app import create_app
from census.models import Invitation, Response
from db import utcnow
from db.current import database_of
from org.models import School
from scoring.levels import RiskLevel
from survey.invitations.links import token_hash
from survey.teacher.referral import referral_of
from tests.support.apps import build_settings
from tests.support.factories.census import make_invitation, make_response, make_wave
from tests.support.factories.org import make_teacher
from tests.support.forms import csrf_token, post_form
from tests.support.staff import create_staff, login
from tests.support.teacher import MODERATE, answer_all, page_answers, start, submit

OUTCOME = "moved_away"  # not among the default outcomes
# What routing chose under the defaults: nobody, for the only psychologist works at the school.
DEFAULTS = RoutingPolicy()


@pytest.fixture
def app(module_url: str, module_instance: Path) -> Iterator[Flask]:
    """The app with settings unlike the defaults, on committed data, as it runs for real."""
    settings = build_settings(
        module_instance,
        module_url,
        route_exclude_own_school=False,
        case_outcomes=f"resolved,{OUTCOME}",
    )
    application = create_app(settings)
    yield application
    database_of(application).dispose()


@dataclass(frozen=True)
class Place:
    """A school whose only psychologist works there, logged in with ``client``."""

    school_id: int
    psychologist: uuid.UUID
    client: FlaskClient


def _place(app: Flask) -> Place:
    staff = create_staff(
        app, Role.PSYCHOLOGIST, district="设置区", school=f"本校{uuid.uuid4().hex[:6]}"
    )
    client = app.test_client()
    assert login(client, staff) == 302
    return Place(staff.school_ids[0], staff.account_id, client)


def _teacher_link(app: Flask, school_id: int) -> tuple[str, str, list[str]]:
    """A new teacher at the school invited to a new open wave: token, phone, battery."""
    database = database_of(app)
    with app.app_context():
        session = database.session()
        school = session.get(School, school_id)
        teacher = make_teacher(session, school)
        wave = make_wave(session, name=f"设置普查{uuid.uuid4().hex[:6]}")
        _, token = make_invitation(session, wave, teacher)
        session.commit()
        found = (token, teacher.phone or "", list(wave.battery))
        database.sessions.remove()
        return found


def _holder(
    app: Flask, case_id: uuid.UUID | None
) -> tuple[uuid.UUID | None, CaseState, str | None]:
    """Who holds the case, its state and its outcome, read afresh."""
    database = database_of(app)
    with app.app_context():
        case = database.session().get(Case, case_id)
        assert case is not None
        found = (case.assignee_id, case.state, case.outcome)
        database.sessions.remove()
        return found


def _response_case(app: Flask, token: str) -> tuple[uuid.UUID | None, RiskLevel]:
    """The holder and level of the case opened for the teacher behind ``token``."""
    database = database_of(app)
    with app.app_context():
        session = database.session()
        stmt = (
            select(Case)
            .join(Response, Response.id == Case.response_id)
            .join(Invitation, Invitation.id == Response.invitation_id)
            .where(Invitation.token_hash == token_hash(token))
        )
        case = session.scalars(stmt).one()
        found = (case.assignee_id, case.level)
        database.sessions.remove()
        return found


def test_cases_teachers_open_are_routed_under_the_apps_settings(app: Flask) -> None:
    place = _place(app)
    # A safety answer on a page save opens a crisis case at once.
    crisis, phone, _ = _teacher_link(app, place.school_id)
    teacher = app.test_client()
    start(teacher, crisis, phone)
    reply = post_form(teacher, f"/s/{crisis}/page/1", page_answers("phq9", phq9_9=1))
    assert reply.status_code == 200
    assert _response_case(app, crisis) == (place.psychologist, RiskLevel.CRISIS)
    # A high level at submission opens a case in the submission's transaction.
    high, phone, battery = _teacher_link(app, place.school_id)
    teacher = app.test_client()
    start(teacher, high, phone)
    answer_all(teacher, high, battery, {f"gad7_{i}": 3 for i in range(1, 8)})
    assert submit(teacher, high).status_code == 303
    assert _response_case(app, high) == (place.psychologist, RiskLevel.HIGH)
    # A moderate teacher asks to talk to someone: the outreach becomes a case.
    moderate, phone, battery = _teacher_link(app, place.school_id)
    teacher = app.test_client()
    start(teacher, moderate, phone)
    answer_all(teacher, moderate, battery, MODERATE)
    assert submit(teacher, moderate).status_code == 303
    reply = post_form(teacher, f"/s/{moderate}/talk", {}, f"/s/{moderate}/done")
    assert reply.status_code == 303
    assert _response_case(app, moderate) == (place.psychologist, RiskLevel.MODERATE)


def test_a_psychologist_claims_and_takes_up_under_the_apps_settings(app: Flask) -> None:
    place = _place(app)
    database = database_of(app)
    with app.app_context():
        session = database.session()
        school = session.get(School, place.school_id)
        waiting_response = make_response(session, make_teacher(session, school))
        waiting = open_case(session, referral_of(waiting_response, RiskLevel.HIGH, []), utcnow(),
                            routing=DEFAULTS)  # fmt: skip
        offered_response = make_response(session, make_teacher(session, school))
        offered = open_outreach(session, referral_of(offered_response, RiskLevel.MODERATE, []),
                                utcnow())  # fmt: skip
        session.commit()
        case_id, outreach_id = waiting.id, offered.id
        database.sessions.remove()
    assert _holder(app, case_id)[0] is None  # the defaults left it unassigned
    token = csrf_token(place.client, "/cases")
    place.client.post(f"/cases/{case_id}/claim", data={"csrf_token": token})
    assert _holder(app, case_id)[0] == place.psychologist
    assert f"/outreach/{outreach_id}/take" in place.client.get("/outreach").get_data(as_text=True)
    reply = place.client.post(f"/outreach/{outreach_id}/take", data={"csrf_token": token})
    assert reply.status_code == 302 and "/cases/" in reply.headers["Location"]
    with app.app_context():
        outreach = database.session().get(Outreach, outreach_id)
        assert outreach is not None and outreach.state is OutreachState.TAKEN_UP
        taken_up = outreach.case_id
        database.sessions.remove()
    assert _holder(app, taken_up)[0] == place.psychologist


def test_a_case_closes_with_an_outcome_only_the_apps_settings_list(app: Flask) -> None:
    place = _place(app)
    database = database_of(app)
    with app.app_context():
        session = database.session()
        school = session.get(School, place.school_id)
        response = make_response(session, make_teacher(session, school))
        case = open_case(session, referral_of(response, RiskLevel.HIGH, []), utcnow(),
                         routing=DEFAULTS)  # fmt: skip
        case.assignee_id = place.psychologist
        session.commit()
        case_id = case.id
        database.sessions.remove()
    page = place.client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'<option value="{OUTCOME}">' in page
    token = csrf_token(place.client, "/cases")
    form = {"csrf_token": token, "outcome": OUTCOME}
    assert place.client.post(f"/cases/{case_id}/step/close", data=form).status_code == 302
    assert _holder(app, case_id) == (place.psychologist, CaseState.CLOSED, OUTCOME)
