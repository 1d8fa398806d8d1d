"""Where ``next`` may send a browser, and URLs with control characters or bad escapes (issue 15).

``next`` is followed only to a GET route of this app; every other target, however it is
disguised, goes to ``/``. A control character or a malformed escape anywhere in the path or the
query is a 400 page before any view runs.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import StaffSession
from accounts.roles import Role
from db import Database
from ops.urls import local_target
from tests.support.forms import csrf_token
from tests.support.staff import PASSWORD, Staff, totp_now

FOLLOWED = [
    "/",
    "/cases",
    "/waves/3/sheets",
    "/audit/?page=2&actor=x",
    "/s/AbC-123_x",
    "/s/AbC-123_x/page/2",
    "/s/%41bc",
    "/lang/en",
]
REFUSED = [
    None,
    "",
    "cases",
    "//evil.example",
    "///evil.example",
    "//[evil",
    "/\t/evil.example",  # what /login?next=/%09/evil.example reads; browsers drop the tab
    "/\r/x",
    "/\n/x",
    "/%09/evil.example",  # the same, escaped once more
    "/%2F/evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "/no/such/page",
    "/logout",  # a route, but not one to GET
    "/s/../cases",
    "/./cases",
    "/s/%ff",
    "/s/%zz",
    "/cases#top",
    "/cases\x00",
    "/\x85cases",
    "/%C2%85cases",
    "/s/" + "a" * 600,
]


@pytest.mark.parametrize("target", FOLLOWED)
def test_next_is_followed_to_a_get_route_of_this_app(web_app: Flask, target: str) -> None:
    with web_app.test_request_context():
        assert local_target(target) == target


@pytest.mark.parametrize("target", REFUSED)
def test_any_other_next_goes_home(web_app: Flask, target: str | None) -> None:
    with web_app.test_request_context():
        assert local_target(target) == "/"


def _log_in(web_app: Flask, staff: Staff, query: str) -> tuple[int, str]:
    client = web_app.test_client()
    form = {
        "username": staff.username,
        "password": PASSWORD,
        "code": totp_now(staff.secret),
        "csrf_token": csrf_token(client),
    }
    response = client.post(f"/login?{query}", data=form)
    return response.status_code, response.headers.get("Location", "")


def _sessions(database: Database) -> int:
    with Session(database.engine) as session:
        return session.scalar(select(func.count()).select_from(StaffSession)) or 0


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("next=/waves", "/waves"),
        ("next=//evil.example", "/"),
        ("next=/%2509/evil.example", "/"),
        ("next=https://evil.example/", "/"),
        ("next=/no/such/page", "/"),
    ],
)
def test_login_follows_next_only_to_a_route_of_this_app(
    web_app: Flask, make_staff: Callable[..., Staff], query: str, location: str
) -> None:
    assert _log_in(web_app, make_staff(Role.SYSTEM_ADMIN), query) == (302, location)


@pytest.mark.parametrize("query", ["next=/%09/evil.example", "next=/%0d/x", "next=%ff"])
def test_login_with_a_control_character_in_next_is_a_400_and_logs_nobody_in(
    web_app: Flask, make_staff: Callable[..., Staff], query: str
) -> None:
    database: Database = web_app.extensions["xinan.db"]
    before = _sessions(database)
    assert _log_in(web_app, make_staff(Role.SYSTEM_ADMIN), query)[0] == 400
    assert _sessions(database) == before


def _english_teacher(web_app: Flask) -> FlaskClient:
    client = web_app.test_client()
    assert client.get("/lang/en?next=/").status_code == 302
    return client


def test_the_language_switch_follows_next_only_to_a_route_of_this_app(web_app: Flask) -> None:
    client = web_app.test_client()
    for target, location in [
        ("/s/AbC-123_x/page/2", "/s/AbC-123_x/page/2"),
        ("/cases", "/cases"),
        ("//evil.example", "/"),
        ("/%2509/evil.example", "/"),
        ("https://evil.example/", "/"),
    ]:
        response = client.get(f"/lang/en?next={target}")
        assert (response.status_code, response.headers.get("Location")) == (302, location)


@pytest.mark.parametrize("next_", ["%0a", "/s/%0a", "/%0d/x", "/%ff", "/%zz"])
def test_a_bad_next_on_the_language_switch_is_a_400_in_the_teachers_language(
    web_app: Flask, next_: str
) -> None:
    response = web_app.test_client().get(f"/lang/en?next={next_}")
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "这个请求无法处理" in body
    response = _english_teacher(web_app).get(f"/lang/zh-CN?next={next_}")
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "This request could not be processed" in body
    assert '<html lang="en">' in body
