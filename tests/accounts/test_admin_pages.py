"""Security administrators' and auditors' pages, through the real forms."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role
from notifications.models import Notification
from tests.support.factories.org import make_teacher
from tests.support.forms import csrf_token
from tests.support.staff import Staff

Login = Callable[..., tuple[FlaskClient, Staff]]


def _upload(client: FlaskClient, text: str) -> tuple[int, str]:
    response = client.post(
        "/staff/accounts/import",
        data={
            "csrf_token": csrf_token(client, "/staff/accounts/import"),
            "file": (io.BytesIO(text.encode("utf-8")), "accounts.csv"),
        },
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_data(as_text=True)


def test_bulk_csv_creates_accounts_and_waits_for_a_second_approval(
    web_app: Flask, login_as: Login
) -> None:
    admin, _me = login_as(Role.SECURITY_ADMIN, district="批量区", school="批量校")
    with web_app.app_context():
        session = web_app.extensions["xinan.db"].session()
        make_teacher(session, staff_no="BULK001")
        session.commit()
        web_app.extensions["xinan.db"].sessions.remove()
    status, page = _upload(
        admin,
        (
            "username,display_name,staff_no,role,scope,email\n"
            "bulk.psy,心理老师,BULK001,psychologist,批量区/批量校,\n"
            "bulk.analyst,分析员,,analyst,city,analyst@bureau.example\n"
        ),
    )
    assert status == 200 and "bulk.psy" in page and "bulk.analyst" in page
    # No password on the page: each owner gets a one-time link at their own contact.
    assert "<code>" not in page and "/account/enrol/" not in page
    assert "a***@bureau.example" in page and "短信 SMS · 花名册 roster" in page
    with web_app.app_context():
        session = web_app.extensions["xinan.db"].session()
        grants = {
            g.account.username: g.status
            for g in session.scalars(select(RoleGrant))
            if g.account.username.startswith("bulk.")
        }
        web_app.extensions["xinan.db"].sessions.remove()
    assert grants == {"bulk.psy": GrantStatus.PENDING, "bulk.analyst": GrantStatus.ACTIVE}
    with web_app.app_context():
        session = web_app.extensions["xinan.db"].session()
        links = {
            n.recipient: n.body
            for n in session.scalars(select(Notification))
            if n.key.endswith(":link")
        }
        web_app.extensions["xinan.db"].sessions.remove()
    assert "/account/enrol/" in links["analyst@bureau.example"]


def test_bulk_csv_refuses_an_account_nobody_could_reach(web_app: Flask, login_as: Login) -> None:
    admin, _me = login_as(Role.SECURITY_ADMIN)
    status, page = _upload(
        admin, "username,display_name,staff_no,role,scope\nnowhere.one,甲,,auditor,city\n"
    )
    assert status == 400 and "row 2" in page and "no contact" in page


def test_bulk_csv_with_one_bad_row_creates_nothing(web_app: Flask, login_as: Login) -> None:
    admin, _me = login_as(Role.SECURITY_ADMIN)
    status, page = _upload(
        admin,
        (
            "username,display_name,staff_no,role,scope\n"
            "fine.one,甲,,auditor,city\n"
            "fine.two,乙,,auditor,no-such-district\n"
        ),
    )
    assert status == 400 and "row 3" in page
    with web_app.app_context():
        session = web_app.extensions["xinan.db"].session()
        names = set(session.scalars(select(StaffAccount.username)))
        web_app.extensions["xinan.db"].sessions.remove()
    assert "fine.one" not in names


def test_auditor_reads_filters_and_verifies_the_log(web_app: Flask, login_as: Login) -> None:
    auditor, _me = login_as(Role.AUDITOR)
    listing = auditor.get("/audit/?action=auth.login")
    assert listing.status_code == 200
    assert "auth.login" in listing.get_data(as_text=True)
    verified = auditor.post("/audit/verify", data={"csrf_token": csrf_token(auditor, "/audit/")})
    assert verified.status_code == 200
    assert "完好" in verified.get_data(as_text=True)
