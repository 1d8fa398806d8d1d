"""Set-up links for new accounts and single-administrator resets, the account's own contact, and
the console's bootstrap of the first two security administrators: nowhere does a page show a
credential; the owner sets their own through a one-time link sent to their own contact."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import CredentialReset, GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role
from tests.support.apps import app_session
from tests.support.forms import csrf_token
from tests.support.resets import NEW_PASSWORD, SECRET, audit_of, enrol, link_in, messages_to, post
from tests.support.staff import PASSWORD, Staff, login, totp_now

Login = Callable[..., tuple[FlaskClient, Staff]]
MakeStaff = Callable[..., Staff]


def _account_id(app: Flask, username: str) -> Staff:
    with app_session(app) as session:
        account = session.scalars(
            select(StaffAccount).where(StaffAccount.username == username)
        ).one()
        return Staff(account.id, username, "", account.teacher_id, [])


def test_a_new_account_is_set_up_by_its_owner_through_the_link_sent_to_them(
    web_app: Flask, login_as: Login
) -> None:
    admin, me = login_as(Role.SECURITY_ADMIN)
    created = admin.post(
        "/staff/accounts/new",
        data={
            "username": "new.owner",
            "display_name": "新同事",
            "email": "new.owner@bureau.example",
            "csrf_token": csrf_token(admin, "/staff/accounts/new"),
        },
    )
    assert created.status_code == 302
    page = admin.get(created.headers["Location"]).get_data(as_text=True)
    assert "<code>" not in page and "/account/enrol/" not in page
    assert "n***@bureau.example" in page
    owner = _account_id(web_app, "new.owner")
    (link,) = messages_to(web_app, owner.account_id)
    assert link.recipient == "new.owner@bureau.example" and me.username in link.body
    token = link_in(link)

    # A wrong code or a weak password changes nothing, and the link still works.
    browser = web_app.test_client()
    url = f"/account/enrol/{token}"
    opened = browser.get(url).get_data(as_text=True)
    found = SECRET.search(opened)
    assert found is not None
    wrong = browser.post(
        url,
        data={
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "code": "000000" if totp_now(found.group(1)) != "000000" else "111111",
            "csrf_token": csrf_token(browser, url),
        },
    )
    assert wrong.status_code == 200 and "验证码不正确" in wrong.get_data(as_text=True)
    status, secret = enrol(web_app, token)
    assert status == 303
    client = web_app.test_client()
    assert login(client, owner, NEW_PASSWORD, totp_now(secret, 1)) == 302
    assert client.get("/").status_code == 200
    (entry,) = audit_of(web_app, "account.enrol", owner.account_id)
    assert entry.detail["requested_by"] == str(me.account_id)
    assert entry.detail["reason"] == "new" and entry.detail["approved_by"] is None


def test_one_administrator_resets_an_analyst_and_only_the_owner_can_use_the_link(
    web_app: Flask, make_staff: MakeStaff, login_as: Login
) -> None:
    analyst = make_staff(Role.ANALYST, linked=False)
    admin, me = login_as(Role.SECURITY_ADMIN)
    saved = post(
        admin, f"/staff/accounts/{analyst.account_id}/contact", email="analyst@bureau.example"
    )
    assert saved.status_code == 302
    old_browser = web_app.test_client()
    assert login(old_browser, analyst) == 302
    assert post(admin, f"/staff/accounts/{analyst.account_id}/reset-password").status_code == 302
    page = admin.get(f"/staff/accounts/{analyst.account_id}").get_data(as_text=True)
    assert "设置链接已发给本人" in page and "/account/enrol/" not in page

    (link,) = messages_to(web_app, analyst.account_id)
    assert link.key.endswith(":link") and link.recipient == "analyst@bureau.example"
    assert me.username in link.body
    # No second approval for a role that sees no identified data, but the account is suspended
    # until its owner has used the link.
    assert old_browser.get("/reports").status_code == 302
    again = web_app.test_client()
    assert login(again, analyst, PASSWORD, totp_now(analyst.secret, 1)) == 302
    assert again.get("/reports").status_code == 403
    status, secret = enrol(web_app, link_in(link))
    assert status == 303
    owner = web_app.test_client()
    assert login(owner, analyst, NEW_PASSWORD, totp_now(secret, 1)) == 302
    assert owner.get("/reports").status_code == 200
    (entry,) = audit_of(web_app, "account.reset_request", analyst.account_id)
    assert entry.detail["needs_approval"] is False


def test_a_reset_nobody_could_receive_is_refused_and_changes_nothing(
    web_app: Flask, make_staff: MakeStaff, login_as: Login
) -> None:
    auditor = make_staff(Role.AUDITOR, linked=False)
    browser = web_app.test_client()
    assert login(browser, auditor) == 302
    admin, _ = login_as(Role.SECURITY_ADMIN)
    post(admin, f"/staff/accounts/{auditor.account_id}/reset-totp")
    page = admin.get(f"/staff/accounts/{auditor.account_id}").get_data(as_text=True)
    assert "no contact" in page
    assert browser.get("/audit/").status_code == 200
    with app_session(web_app) as session:
        found = session.scalars(
            select(CredentialReset).where(CredentialReset.account_id == auditor.account_id)
        ).all()
        assert found == []


def test_changing_the_contact_tells_the_old_address_who_changed_it(
    web_app: Flask, make_staff: MakeStaff, login_as: Login
) -> None:
    sysadmin = make_staff(Role.SYSTEM_ADMIN, linked=False)
    admin, me = login_as(Role.SECURITY_ADMIN)
    url = f"/staff/accounts/{sysadmin.account_id}/contact"
    post(admin, url, email="first@bureau.example")
    assert messages_to(web_app, sysadmin.account_id) == []
    post(admin, url, email="second@elsewhere.example")
    (told,) = messages_to(web_app, sysadmin.account_id)
    assert told.recipient == "first@bureau.example" and me.username in told.body
    entries = audit_of(web_app, "account.contact_change", sysadmin.account_id)
    assert [e.detail["had_contact"] for e in entries] == [False, True]
    # Nobody changes their own contact on these pages.
    post(admin, f"/staff/accounts/{me.account_id}/contact", email="mine@evil.example")
    assert audit_of(web_app, "account.contact_change", me.account_id) == []


def test_the_console_makes_only_the_first_two_security_administrators(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    runner = app.test_cli_runner()
    outputs = [
        runner.invoke(args=["accounts", "create-security-admin", name])
        for name in ("boot.one", "boot.two", "boot.three")
    ]
    assert [o.exit_code for o in outputs] == [0, 0, 1]
    assert "two security administrators exist" in outputs[2].output
    password = re.search(r"shown once\): (\S+)", outputs[0].output)
    assert password is not None
    grants = db_session.scalars(
        select(RoleGrant).join(StaffAccount, StaffAccount.id == RoleGrant.account_id)
    ).all()
    assert sorted(
        (g.account.username, g.status) for g in grants if g.account.username.startswith("boot.")
    ) == [("boot.one", GrantStatus.ACTIVE), ("boot.two", GrantStatus.ACTIVE)]
    response = client.post(
        "/login",
        data={
            "username": "boot.one",
            "password": password.group(1),
            "csrf_token": csrf_token(client),
        },
    )
    assert response.headers["Location"].endswith("/account/setup")
