"""Case pages against committed data: object-level access across schools and districts, reveal,
the queue order, steps through the web (protection.md tests 12, 13)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from accounts.roles import Role
from alerts.models import Case
from db import Database
from privacy.audit.models import AuditEntry
from scoring.levels import RiskLevel
from tests.support.factories.cases import CASE_NAME, open_case_at
from tests.support.forms import csrf_token
from tests.support.staff import Staff, login


def _denials(app: Flask, object_id: uuid.UUID) -> int:
    database: Database = app.extensions["xinan.db"]
    with app.app_context():
        stmt = select(AuditEntry).where(
            AuditEntry.action == "authz.deny", AuditEntry.object_id == str(object_id)
        )
        count = len(database.session().scalars(stmt).all())
        database.sessions.remove()
        return count


def _post(client: FlaskClient, url: str, **data: str) -> int:
    token = csrf_token(client, "/cases")
    return client.post(url, data={"csrf_token": token, **data}).status_code


Login = Callable[..., tuple[FlaskClient, Staff]]


def test_a_psychologist_of_another_school_gets_404_and_an_audit_entry(
    web_app: Flask, login_as: Login, make_staff: Callable[..., Staff]
) -> None:
    holder = make_staff(Role.PSYCHOLOGIST, school="甲校")
    case_id = open_case_at(web_app, "甲校", "一区", assignee=holder.account_id)
    client, _ = login_as(Role.PSYCHOLOGIST, school="乙校")
    before = _denials(web_app, case_id)
    assert client.get(f"/cases/{case_id}").status_code == 404
    assert _denials(web_app, case_id) == before + 1
    assert _post(client, f"/cases/{case_id}/reveal") == 404
    assert _denials(web_app, case_id) == before + 2
    assert _post(client, f"/cases/{case_id}/step/acknowledge") == 404
    assert _denials(web_app, case_id) == before + 3
    assert _post(client, f"/cases/{case_id}/claim") == 404
    assert _denials(web_app, case_id) == before + 4
    listing = client.get("/cases").get_data(as_text=True)
    assert str(case_id) not in listing and CASE_NAME not in listing
    assert client.get("/cases?page=2").status_code == 404


def test_a_supervisor_of_another_district_gets_404(web_app: Flask, login_as: Login) -> None:
    case_id = open_case_at(web_app, "甲校", "一区")
    client, _ = login_as(Role.SUPERVISOR, school="丁校", district="二区")
    assert client.get(f"/cases/{case_id}").status_code == 404
    assert _post(client, f"/cases/{case_id}/assign", assignee="") == 404
    assert str(case_id) not in client.get("/district").get_data(as_text=True)
    assert _denials(web_app, case_id) >= 2
    home, _ = login_as(Role.SUPERVISOR, school="戊校", district="一区")
    assert str(case_id) in home.get("/district").get_data(as_text=True)


def test_nobody_sees_a_case_about_themselves(
    web_app: Flask, make_staff: Callable[..., Staff], login_as: Login
) -> None:
    psy = make_staff(Role.PSYCHOLOGIST, school="甲校")
    case_id = open_case_at(
        web_app, "甲校", "一区", assignee=psy.account_id, teacher_id=psy.teacher_id
    )
    client = web_app.test_client()
    assert login(client, psy) == 302
    assert client.get(f"/cases/{case_id}").status_code == 404
    assert str(case_id) not in client.get("/cases").get_data(as_text=True)


def test_the_holder_reveals_and_it_is_audited(
    web_app: Flask, make_staff: Callable[..., Staff], login_as: Login
) -> None:
    holder = make_staff(Role.PSYCHOLOGIST, school="甲校")
    case_id = open_case_at(web_app, "甲校", "一区", assignee=holder.account_id)
    client = web_app.test_client()
    assert login(client, holder) == 302
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="reveal"' in page and CASE_NAME not in page
    response = client.post(f"/cases/{case_id}/reveal",
                           data={"csrf_token": csrf_token(client, "/cases")})  # fmt: skip
    assert response.status_code == 200 and CASE_NAME in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    database: Database = web_app.extensions["xinan.db"]
    with web_app.app_context():
        stmt = select(AuditEntry).where(AuditEntry.action == "identity.reveal",
                                        AuditEntry.object_id == str(case_id))  # fmt: skip
        (entry,) = database.session().scalars(stmt).all()
        assert entry.actor == str(holder.account_id)
        database.sessions.remove()
    # Someone else in scope, not holding the case, is refused (403, audited).
    other, _ = login_as(Role.PSYCHOLOGIST, school="甲校")
    assert _post(other, f"/cases/{case_id}/reveal") == 403
    # A supervisor may reveal only after taking the case.
    sup, _ = login_as(Role.SUPERVISOR, school="己校", district="一区")
    assert _post(sup, f"/cases/{case_id}/reveal") == 403
    assert _post(sup, f"/cases/{case_id}/claim") == 302
    revealed = sup.post(f"/cases/{case_id}/reveal", data={"csrf_token": csrf_token(sup, "/cases")})
    assert CASE_NAME in revealed.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.ANALYST])
def test_administrators_and_analysts_get_403_and_no_canary(
    web_app: Flask, login_as: Login, role: Role
) -> None:
    case_id = open_case_at(web_app, "甲校", "一区")
    client, _ = login_as(role, school="甲校")
    for url in ("/cases", f"/cases/{case_id}", "/district", "/outreach"):
        response = client.get(url)
        assert response.status_code == 403 and CASE_NAME not in response.get_data(as_text=True)
    assert _post(client, f"/cases/{case_id}/reveal") == 403


def test_the_holder_works_the_case_from_the_page(
    web_app: Flask, make_staff: Callable[..., Staff]
) -> None:
    holder = make_staff(Role.PSYCHOLOGIST, school="甲校")
    high = open_case_at(web_app, "甲校", "一区", assignee=holder.account_id, level=RiskLevel.HIGH)
    crisis = open_case_at(web_app, "甲校", "一区", assignee=holder.account_id)
    client = web_app.test_client()
    assert login(client, holder) == 302
    queue = client.get("/cases").get_data(as_text=True)
    assert queue.index(f"case-{crisis}") < queue.index(f"case-{high}")  # crisis first
    assert "危机 Crisis" in queue and "level-crisis" in queue
    assert _post(client, f"/cases/{crisis}/step/acknowledge") == 302
    assert _post(client, f"/cases/{crisis}/step/contact", note="电话沟通") == 302
    assert _post(client, f"/cases/{crisis}/step/refer", referral="psychiatric_hospital") == 302
    page = client.get(f"/cases/{crisis}").get_data(as_text=True)
    assert "电话沟通" in page and "已转介 Referred" in page
    # An illegal step is refused with a message, and the state stays.
    client.post(
        f"/cases/{crisis}/step/acknowledge", data={"csrf_token": csrf_token(client, "/cases")}
    )
    page = client.get(f"/cases/{crisis}").get_data(as_text=True)
    assert "not possible" in page
    assert _post(client, f"/cases/{crisis}/step/close", outcome="in_care") == 302
    database: Database = web_app.extensions["xinan.db"]
    with web_app.app_context():
        case = database.session().get(Case, crisis)
        assert case is not None and (case.outcome, case.referral_type) == (
            "in_care", "psychiatric_hospital",
        )  # fmt: skip
        database.sessions.remove()
