"""Issue 15, finding 1: one security administrator can no longer become a psychologist.

A reset of an account under dual control (psychologist, supervisor, security administrator)
waits for a second security administrator; no credential is ever shown to either; the owner gets
a one-time link, valid 24 hours, at their own contact; the account's grants are suspended until
the owner has enrolled again and the approval is in; the audit names both administrators.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from accounts.enrolment import LINK_LIFETIME
from accounts.resets import open_reset
from accounts.roles import Role
from org.models import Teacher
from tests.support.apps import app_session
from tests.support.factories.cases import CASE_NAME, open_case_at
from tests.support.forms import csrf_token
from tests.support.resets import (
    NEW_PASSWORD,
    audit_of,
    enrol,
    link_in,
    messages_to,
    post,
    time_passes,
)
from tests.support.staff import PASSWORD, Staff, login, totp_now

Login = Callable[..., tuple[FlaskClient, Staff]]
MakeStaff = Callable[..., Staff]


def _reveal(client: FlaskClient, case_id: str) -> int:
    return post(client, f"/cases/{case_id}/reveal").status_code


def _log_in_fresh(
    app: Flask, staff: Staff, password: str, secret: str, step: int = 0
) -> FlaskClient:
    client = app.test_client()
    assert login(client, staff, password, totp_now(secret, step)) == 302
    return client


def test_one_security_administrator_alone_cannot_get_into_a_psychologists_account(
    web_app: Flask, make_staff: MakeStaff, login_as: Login
) -> None:
    psy = make_staff(Role.PSYCHOLOGIST, school="甲校")
    case_id = str(open_case_at(web_app, "甲校", "一区", assignee=psy.account_id))
    psy_browser = _log_in_fresh(web_app, psy, PASSWORD, psy.secret)
    assert _reveal(psy_browser, case_id) == 200
    admin, me = login_as(Role.SECURITY_ADMIN)

    seen = []
    for action in ("reset-password", "reset-totp"):
        asked = post(admin, f"/staff/accounts/{psy.account_id}/{action}")
        assert asked.status_code == 302
        seen.append(admin.get(f"/staff/accounts/{psy.account_id}").get_data(as_text=True))
        seen.append(admin.get("/staff/accounts").get_data(as_text=True))
    # The second request finds the first under way; one reset, one notice, and no link yet.
    assert "already under way" in seen[2]
    notices = messages_to(web_app, psy.account_id)
    assert [m.key.rsplit(":", 1)[1] for m in notices] == ["asked"]
    assert me.username in notices[0].body and "/account/enrol/" not in notices[0].body
    for page in seen:
        assert "临时密码" not in page and "/account/enrol/" not in page and "<code>" not in page

    # The psychologist's session ended; logging in again (as the owner, or whoever holds the
    # old password) reaches nothing while the reset is under way.
    assert psy_browser.get("/cases").status_code == 302
    back = _log_in_fresh(web_app, psy, PASSWORD, psy.secret, step=1)
    assert _reveal(back, case_id) == 403
    assert back.get("/cases").status_code == 403
    assert CASE_NAME not in back.get("/").get_data(as_text=True)

    # The requester cannot approve their own request.
    refused = admin.post(
        "/staff/resets/" + _reset_id(web_app, psy) + "/approve",
        data={"csrf_token": csrf_token(admin, "/")},
    )
    assert refused.status_code == 303
    assert len(messages_to(web_app, psy.account_id)) == 1


def test_a_second_administrator_approves_and_only_the_owner_gets_back_in(
    web_app: Flask, make_staff: MakeStaff, login_as: Login
) -> None:
    psy = make_staff(Role.PSYCHOLOGIST, school="甲校")
    case_id = str(open_case_at(web_app, "甲校", "一区", assignee=psy.account_id))
    first, requester = login_as(Role.SECURITY_ADMIN)
    second, approver = login_as(Role.SECURITY_ADMIN)
    assert post(first, f"/staff/accounts/{psy.account_id}/reset-totp").status_code == 302
    reset_id = _reset_id(web_app, psy)
    pending = second.get("/staff/accounts").get_data(as_text=True)
    assert 'id="pending-resets"' in pending and "短信 SMS · 花名册 roster" in pending

    approved = post(second, f"/staff/resets/{reset_id}/approve")
    assert approved.status_code == 302
    for client in (first, second):
        for url in ("/staff/accounts", f"/staff/accounts/{psy.account_id}"):
            assert "/account/enrol/" not in client.get(url).get_data(as_text=True)

    asked, link = messages_to(web_app, psy.account_id)
    assert asked.key.endswith(":asked") and requester.username in asked.body
    assert link.key.endswith(":link") and link.channel == "sms"
    with app_session(web_app) as session:
        teacher = session.get(Teacher, psy.teacher_id)
        assert teacher is not None and link.recipient == teacher.phone
    assert requester.username in link.body and approver.username in link.body
    token = link_in(link)

    # Approved but not yet enrolled: still suspended.
    old = _log_in_fresh(web_app, psy, PASSWORD, psy.secret)
    assert _reveal(old, case_id) == 403

    status, secret = enrol(web_app, token)
    assert status == 303
    # The old password is gone; the new one with the new authenticator works.
    assert login(web_app.test_client(), psy, PASSWORD, totp_now(psy.secret, 1)) != 302
    owner = _log_in_fresh(web_app, psy, NEW_PASSWORD, secret, step=1)
    response = post(owner, f"/cases/{case_id}/reveal")
    assert response.status_code == 200 and CASE_NAME in response.get_data(as_text=True)

    # The link worked once.
    assert enrol(web_app, token)[0] == 404

    # The audit names both administrators; never a token, a secret or a password.
    (request_entry,) = audit_of(web_app, "account.reset_request", psy.account_id)
    assert request_entry.actor == str(requester.account_id)
    assert request_entry.detail["needs_approval"] is True
    (approval,) = audit_of(web_app, "account.reset_approve", psy.account_id)
    assert approval.actor == str(approver.account_id)
    assert approval.detail["requested_by"] == str(requester.account_id)
    assert approval.detail["approved_by"] == str(approver.account_id)
    (enrolled,) = audit_of(web_app, "account.enrol", psy.account_id)
    assert enrolled.actor == str(psy.account_id)
    assert enrolled.detail["requested_by"] == str(requester.account_id)
    assert enrolled.detail["approved_by"] == str(approver.account_id)
    for entry in (request_entry, approval, enrolled):
        assert token not in str(entry.detail) and secret not in str(entry.detail)

    # Nor does the token reach a log line.
    settings = web_app.extensions["xinan.settings"]
    log = settings.log_file.read_text(encoding="utf-8")
    assert token not in log and secret not in log and NEW_PASSWORD not in log
    assert "/account/enrol/[token]" in log


def test_a_link_expires_after_24_hours(
    web_app: Flask, make_staff: MakeStaff, login_as: Login
) -> None:
    psy = make_staff(Role.SUPERVISOR, school="丙校", district="二区")
    first, _ = login_as(Role.SECURITY_ADMIN)
    second, _ = login_as(Role.SECURITY_ADMIN)
    post(first, f"/staff/accounts/{psy.account_id}/reset-password")
    post(second, f"/staff/resets/{_reset_id(web_app, psy)}/approve")
    token = link_in(messages_to(web_app, psy.account_id)[-1])
    time_passes(web_app, psy.account_id, LINK_LIFETIME)
    assert enrol(web_app, token)[0] == 404
    page = first.get(f"/staff/accounts/{psy.account_id}").get_data(as_text=True)
    assert "已过期" in page
    # Still suspended; asking again replaces the dead reset and needs a new approval.
    assert post(first, f"/staff/accounts/{psy.account_id}/reset-password").status_code == 302
    assert messages_to(web_app, psy.account_id)[-1].key.endswith(":asked")


def test_a_security_administrators_reset_needs_a_third_and_nobody_acts_on_themselves(
    web_app: Flask, login_as: Login
) -> None:
    target_client, target = login_as(Role.SECURITY_ADMIN)
    first, _ = login_as(Role.SECURITY_ADMIN)
    third, _ = login_as(Role.SECURITY_ADMIN)
    # Nobody resets their own account.
    assert (
        post(target_client, f"/staff/accounts/{target.account_id}/reset-password").status_code
        == 302
    )
    assert messages_to(web_app, target.account_id) == []
    assert post(first, f"/staff/accounts/{target.account_id}/reset-password").status_code == 302
    reset_id = _reset_id(web_app, target)
    # The target's session ended and, logged in again, it can approve nothing (suspended).
    assert target_client.get("/staff/accounts").status_code == 302
    again = _log_in_fresh(web_app, target, PASSWORD, target.secret, step=1)
    assert again.get("/staff/accounts").status_code == 403
    assert post(again, f"/staff/resets/{reset_id}/approve").status_code == 403
    assert post(third, f"/staff/resets/{reset_id}/approve").status_code == 302
    assert messages_to(web_app, target.account_id)[-1].key.endswith(":link")


def test_cancelling_a_pending_reset_lifts_the_suspension_and_tells_the_owner(
    web_app: Flask, make_staff: MakeStaff, login_as: Login
) -> None:
    psy = make_staff(Role.PSYCHOLOGIST, school="甲校")
    case_id = str(open_case_at(web_app, "甲校", "一区", assignee=psy.account_id))
    first, _ = login_as(Role.SECURITY_ADMIN)
    second, canceller = login_as(Role.SECURITY_ADMIN)
    post(first, f"/staff/accounts/{psy.account_id}/reset-password")
    assert post(second, f"/staff/resets/{_reset_id(web_app, psy)}/cancel").status_code == 302
    told = messages_to(web_app, psy.account_id)[-1]
    assert told.key.endswith(":cancelled") and canceller.username in told.body
    owner = _log_in_fresh(web_app, psy, PASSWORD, psy.secret, step=1)
    assert _reveal(owner, case_id) == 200
    (entry,) = audit_of(web_app, "account.reset_cancel", psy.account_id)
    assert entry.detail["cancelled_by"] == str(canceller.account_id)


def _reset_id(app: Flask, staff: Staff) -> str:
    with app_session(app) as session:
        reset = open_reset(session, staff.account_id)
        assert reset is not None
        return str(reset.id)
