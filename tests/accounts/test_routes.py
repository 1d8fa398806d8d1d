"""The role × route matrix (protection.md test 11), generated from the app's URL map.

Every rule and method is requested by every persona. A rule missing from EXPECTED (in
``tests/support/routes.py``) fails the test, so a new route cannot ship without a decision about
who may use it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from accounts.roles import Role
from tests.support.forms import csrf_token
from tests.support.routes import ANY_STAFF, EXPECTED, PUBLIC, route_requests
from tests.support.staff import Staff


def test_every_route_is_in_the_expected_table(web_app: Flask) -> None:
    endpoints = {rule.endpoint for rule in web_app.url_map.iter_rules()} - {"static"}
    assert endpoints == set(EXPECTED), "decide who may use each new route, in EXPECTED"


def _call(client: FlaskClient, method: str, url: str, token: str | None) -> tuple[int, str]:
    data = {"csrf_token": token} if token and method != "GET" else None
    response = client.open(url, method=method, data=data)
    return response.status_code, response.headers.get("Location", "")


def test_anonymous_reaches_only_public_routes(web_app: Flask) -> None:
    client = web_app.test_client()
    token = csrf_token(client)
    for rule, method, url in route_requests(web_app):
        status, location = _call(client, method, url, token)
        if EXPECTED[rule.endpoint] == PUBLIC:
            assert status < 400 or status == 404, (rule.endpoint, method, status)
        else:
            assert status == 302 and "/login" in location, (rule.endpoint, method, status)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_its_routes(
    web_app: Flask, login_as: Callable[..., tuple[FlaskClient, Staff]], role: Role
) -> None:
    client, _staff = login_as(role, school="乙校" if role is Role.PSYCHOLOGIST else "甲校")
    token = csrf_token(client, "/")
    for rule, method, url in route_requests(web_app):
        expected = EXPECTED[rule.endpoint]
        allowed = expected in (PUBLIC, ANY_STAFF) or role in expected
        status, location = _call(client, method, url, token)
        if rule.endpoint != "auth.logout":
            assert "/login" not in location, (role, rule.endpoint, method, "session lost")
        if allowed:
            assert status != 403, (role, rule.endpoint, method)
        else:
            assert status == 403, (role, rule.endpoint, method, status)
