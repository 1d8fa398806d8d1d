"""Protection test 14 on the case routes: a removed school grant or a disabled account takes effect
on the very next request, with no logout and no cache to wait for."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role, ScopeKind
from db import Database
from org.models import School
from tests.support.factories.cases import CASE_NAME, open_case_at
from tests.support.forms import csrf_token
from tests.support.staff import Staff

Login = Callable[..., tuple[FlaskClient, Staff]]


def _school_id(app: Flask, name: str) -> int:
    database: Database = app.extensions["xinan.db"]
    with app.app_context():
        school_id = database.session().scalars(select(School.id).where(School.name == name)).one()
        database.sessions.remove()
        return int(school_id)


def _change(app: Flask, account_id: uuid.UUID, school_id: int | None = None) -> None:
    """Revoke the account's grant on ``school_id``, or, without a school, disable the account."""
    database: Database = app.extensions["xinan.db"]
    with app.app_context():
        session = database.session()
        if school_id is None:
            account = session.get(StaffAccount, account_id)
            assert account is not None
            account.is_active = False
        else:
            grant = session.scalars(
                select(RoleGrant).where(
                    RoleGrant.account_id == account_id, RoleGrant.school_id == school_id
                )
            ).one()
            grant.status = GrantStatus.REVOKED
        session.commit()
        database.sessions.remove()


def _grant_school(app: Flask, account_id: uuid.UUID, school_id: int) -> None:
    database: Database = app.extensions["xinan.db"]
    with app.app_context():
        session = database.session()
        session.add(
            RoleGrant(
                account_id=account_id,
                role=Role.PSYCHOLOGIST,
                scope_kind=ScopeKind.SCHOOL,
                school_id=school_id,
                status=GrantStatus.ACTIVE,
            )
        )
        session.commit()
        database.sessions.remove()


def test_removing_a_school_grant_hides_its_cases_on_the_next_request(
    web_app: Flask, login_as: Login
) -> None:
    client, psy = login_as(Role.PSYCHOLOGIST, school="甲校")
    kept = open_case_at(web_app, "乙校", "一区", assignee=psy.account_id)
    _grant_school(web_app, psy.account_id, _school_id(web_app, "乙校"))
    removed = open_case_at(web_app, "甲校", "一区", assignee=psy.account_id)
    listing = client.get("/cases").get_data(as_text=True)
    assert str(removed) in listing and str(kept) in listing
    assert client.get(f"/cases/{removed}").status_code == 200

    _change(web_app, psy.account_id, _school_id(web_app, "甲校"))

    assert client.get(f"/cases/{removed}").status_code == 404
    token = csrf_token(client, "/cases")
    assert client.post(f"/cases/{removed}/reveal", data={"csrf_token": token}).status_code == 404
    listing = client.get("/cases").get_data(as_text=True)
    assert str(removed) not in listing and CASE_NAME not in listing
    assert str(kept) in listing
    assert client.get(f"/cases/{kept}").status_code == 200


def test_disabling_an_account_ends_its_session_on_the_next_request(
    web_app: Flask, login_as: Login
) -> None:
    client, psy = login_as(Role.PSYCHOLOGIST, school="甲校")
    case_id = open_case_at(web_app, "甲校", "一区", assignee=psy.account_id)
    assert client.get(f"/cases/{case_id}").status_code == 200

    _change(web_app, psy.account_id)

    for url in (f"/cases/{case_id}", "/cases"):
        answer = client.get(url)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]
        assert CASE_NAME not in answer.get_data(as_text=True)
    token = csrf_token(client)
    answer = client.post(f"/cases/{case_id}/reveal", data={"csrf_token": token})
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
