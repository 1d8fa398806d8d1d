"""Authentication (protection.md tests 10, 18, 19): password + TOTP, throttling, sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask
from sqlalchemy import update

from accounts.models import StaffAccount, StaffSession
from accounts.roles import Role
from accounts.sessions import COOKIE_NAME
from tests.support.forms import csrf_token
from tests.support.staff import PASSWORD, Staff, login, totp_now

GENERIC = "用户名、密码或验证码不正确"


def _cookie(client: object) -> str | None:
    cookie = client.get_cookie(COOKIE_NAME)  # type: ignore[attr-defined]
    return cookie.value if cookie else None


def test_login_with_password_and_code_reaches_home(
    web_app: Flask, make_staff: Callable[..., Staff]
) -> None:
    staff = make_staff(Role.AUDITOR)
    client = web_app.test_client()
    assert login(client, staff) == 302
    home = client.get("/")
    assert home.status_code == 200
    assert staff.username in home.get_data(as_text=True)
    assert home.headers["Cache-Control"] == "no-store"


def test_wrong_password_code_and_unknown_name_get_the_same_answer(
    web_app: Flask, make_staff: Callable[..., Staff]
) -> None:
    staff = make_staff(Role.AUDITOR)
    client = web_app.test_client()
    answers = []
    for data in (
        {
            "username": staff.username,
            "password": "wrong-password-123",
            "code": totp_now(staff.secret),
        },
        {"username": staff.username, "password": PASSWORD, "code": "000000"},
        {"username": "nobody-here", "password": PASSWORD, "code": totp_now(staff.secret)},
    ):
        response = client.post("/login", data={**data, "csrf_token": csrf_token(client)})
        answers.append((response.status_code, GENERIC in response.get_data(as_text=True)))
        assert _cookie(client) is None
    assert answers == [(200, True)] * 3


def test_sixth_attempt_in_a_minute_is_refused_even_with_the_right_password(
    web_app: Flask, make_staff: Callable[..., Staff]
) -> None:
    staff, other = make_staff(Role.AUDITOR), make_staff(Role.AUDITOR)
    client = web_app.test_client()
    for _ in range(5):
        assert login(client, staff, password="wrong-password-123") == 200
    assert login(client, staff) == 200
    assert _cookie(client) is None
    # The limit is per account, not global.
    assert login(web_app.test_client(), other) == 302


def test_used_totp_code_is_refused(web_app: Flask, make_staff: Callable[..., Staff]) -> None:
    staff = make_staff(Role.AUDITOR)
    code = totp_now(staff.secret)
    assert login(web_app.test_client(), staff, code=code) == 302
    assert login(web_app.test_client(), staff, code=code) == 200


def test_session_cookie_changes_at_login(web_app: Flask, make_staff: Callable[..., Staff]) -> None:
    staff = make_staff(Role.AUDITOR)
    client = web_app.test_client()
    client.set_cookie(COOKIE_NAME, "attacker-chosen-value")
    assert login(client, staff) == 302
    first = _cookie(client)
    assert first and first != "attacker-chosen-value"
    assert login(client, staff, code=totp_now(staff.secret, 1)) == 302
    assert _cookie(client) != first


def test_cookie_after_logout_is_refused(web_app: Flask, make_staff: Callable[..., Staff]) -> None:
    staff = make_staff(Role.AUDITOR)
    client = web_app.test_client()
    login(client, staff)
    stolen = _cookie(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    replay = web_app.test_client()
    replay.set_cookie(COOKIE_NAME, stolen or "")
    assert replay.get("/").status_code == 302


def _age_sessions(web_app: Flask, staff: Staff, **ages: dt.timedelta) -> None:
    database = web_app.extensions["xinan.db"]
    with database.engine.begin() as connection:
        now = dt.datetime.now(dt.UTC)
        values = {column: now - age for column, age in ages.items()}
        connection.execute(
            update(StaffSession).where(StaffSession.account_id == staff.account_id).values(values)
        )


def test_idle_timeout_after_30_minutes(web_app: Flask, make_staff: Callable[..., Staff]) -> None:
    staff = make_staff(Role.AUDITOR)
    client = web_app.test_client()
    login(client, staff)
    _age_sessions(web_app, staff, last_seen_at=dt.timedelta(minutes=29))
    assert client.get("/").status_code == 200
    _age_sessions(web_app, staff, last_seen_at=dt.timedelta(minutes=31))
    assert client.get("/").status_code == 302


def test_absolute_timeout_after_12_hours(web_app: Flask, make_staff: Callable[..., Staff]) -> None:
    staff = make_staff(Role.AUDITOR)
    client = web_app.test_client()
    login(client, staff)
    _age_sessions(
        web_app,
        staff,
        created_at=dt.timedelta(hours=12, minutes=1),
        last_seen_at=dt.timedelta(minutes=1),
    )
    assert client.get("/").status_code == 302


def test_disabling_an_account_ends_its_session_on_the_next_request(
    web_app: Flask, make_staff: Callable[..., Staff]
) -> None:
    staff = make_staff(Role.AUDITOR)
    client = web_app.test_client()
    login(client, staff)
    with web_app.extensions["xinan.db"].engine.begin() as connection:
        connection.execute(
            update(StaffAccount).where(StaffAccount.id == staff.account_id).values(is_active=False)
        )
    assert client.get("/").status_code == 302


def test_first_login_requires_a_new_password_and_an_enrolled_authenticator(
    web_app: Flask,
) -> None:
    # An account with a one-time password and no authenticator: how `accounts
    # create-security-admin` makes the first administrators (every other account enrols through
    # a link sent to its owner, tests/accounts/test_enrolment.py).
    temporary = "console-once-Q7vLx2pR"
    with web_app.app_context():
        session = web_app.extensions["xinan.db"].session()
        session.add(
            StaffAccount(
                username="new.user",
                password_hash=web_app.extensions["xinan.passwords"].hash(temporary),
                must_change_password=True,
            )
        )
        session.commit()
        web_app.extensions["xinan.db"].sessions.remove()

    client = web_app.test_client()
    response = client.post(
        "/login",
        data={
            "username": "new.user",
            "password": temporary,
            "code": "",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.headers["Location"].endswith("/account/setup")
    assert client.get("/").headers["Location"].endswith("/account/setup")
    setup = client.get("/account/setup").get_data(as_text=True)
    secret = setup.split("<code>")[1].split("</code>")[0]
    weak = client.post(
        "/account/setup",
        data={
            "new_password": "password1234",
            "confirm": "password1234",
            "code": totp_now(secret),
            "csrf_token": csrf_token(client, "/account/setup"),
        },
    )
    assert "过于常见" in weak.get_data(as_text=True)
    done = client.post(
        "/account/setup",
        data={
            "new_password": PASSWORD,
            "confirm": PASSWORD,
            "code": totp_now(secret),
            "csrf_token": csrf_token(client, "/account/setup"),
        },
    )
    assert done.status_code == 302
    assert client.get("/").status_code == 200


def test_password_change_ends_the_other_sessions_and_keeps_this_one(
    web_app: Flask, make_staff: Callable[..., Staff]
) -> None:
    staff = make_staff(Role.AUDITOR)
    here, elsewhere = web_app.test_client(), web_app.test_client()
    assert login(here, staff) == 302
    assert login(elsewhere, staff, code=totp_now(staff.secret, 1)) == 302
    new = "Another-Long-Passphrase-42"
    changed = here.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new_password": new,
            "confirm": new,
            "csrf_token": csrf_token(here, "/account/password"),
        },
    )
    assert changed.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302


def test_password_change_needs_the_current_password(
    web_app: Flask, make_staff: Callable[..., Staff]
) -> None:
    staff = make_staff(Role.AUDITOR)
    client = web_app.test_client()
    login(client, staff)
    new = "Another-Long-Passphrase-42"
    page = client.post(
        "/account/password",
        data={
            "current": "not-my-password",
            "new_password": new,
            "confirm": new,
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert "当前密码不正确" in page.get_data(as_text=True)
    assert login(web_app.test_client(), staff, code=totp_now(staff.secret, 1)) == 302
