"""The role × route matrix (protection.md test 11), generated from the app's URL map.

Every rule and method is requested by every persona. A rule missing from EXPECTED fails the test,
so a new route cannot ship without a decision about who may use it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.routing import AnyConverter, Rule, UUIDConverter

from accounts.policy import TEACHER_ENDPOINTS
from accounts.roles import Role
from tests.accounts.conftest import Staff, csrf_token

PUBLIC = "public"
ANY_STAFF = "any staff"
EXPECTED: dict[str, str | frozenset[Role]] = {
    "health.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.home": ANY_STAFF,
    "auth.setup": ANY_STAFF,
    "auth.logout": ANY_STAFF,
    "account.password": ANY_STAFF,
    "staff.accounts": frozenset({Role.SECURITY_ADMIN}),
    "staff.new_account": frozenset({Role.SECURITY_ADMIN}),
    "staff.bulk_import": frozenset({Role.SECURITY_ADMIN}),
    "staff.account_detail": frozenset({Role.SECURITY_ADMIN}),
    "staff.add_grant": frozenset({Role.SECURITY_ADMIN}),
    "staff.account_action": frozenset({Role.SECURITY_ADMIN}),
    "staff.decide": frozenset({Role.SECURITY_ADMIN}),
    "staff.revoke": frozenset({Role.SECURITY_ADMIN}),
    "staff.decide_reset": frozenset({Role.SECURITY_ADMIN}),
    "staff.set_contact": frozenset({Role.SECURITY_ADMIN}),
    # The one-time set-up link sent to a member of staff's own contact: the token is the key.
    "enrol.enrol": PUBLIC,
    "audit.entries": frozenset({Role.AUDITOR}),
    "audit.verify": frozenset({Role.AUDITOR}),
    "waves.wave_list": frozenset({Role.SYSTEM_ADMIN}),
    "waves.new_wave": frozenset({Role.SYSTEM_ADMIN}),
    "waves.wave_detail": frozenset({Role.SYSTEM_ADMIN}),
    "waves.edit_wave": frozenset({Role.SYSTEM_ADMIN}),
    "waves.wave_action": frozenset({Role.SYSTEM_ADMIN}),
    "waves.unit_opening": frozenset({Role.SYSTEM_ADMIN}),
    "waves.sheet_index": frozenset({Role.SYSTEM_ADMIN}),
    "waves.sheet": frozenset({Role.SYSTEM_ADMIN}),
    "waves.sheet_download": frozenset({Role.SYSTEM_ADMIN}),
    "lost_link.lost_link": PUBLIC,
    # Caring follow-up (alerts/views.py): rows are scoped again inside each view.
    "cases.queue": frozenset({Role.PSYCHOLOGIST, Role.SUPERVISOR}),
    "cases.case_page": frozenset({Role.PSYCHOLOGIST, Role.SUPERVISOR}),
    "cases.reveal": frozenset({Role.PSYCHOLOGIST, Role.SUPERVISOR}),
    "cases.step": frozenset({Role.PSYCHOLOGIST, Role.SUPERVISOR}),
    "cases.claim_case": frozenset({Role.PSYCHOLOGIST, Role.SUPERVISOR}),
    "cases.assign_case": frozenset({Role.SUPERVISOR}),
    "cases.outreach": frozenset({Role.PSYCHOLOGIST}),
    "cases.take_up": frozenset({Role.PSYCHOLOGIST}),
    "cases.district": frozenset({Role.SUPERVISOR}),
    # Released reports (reports/views.py): anonymised aggregates, the bureau analyst only.
    "reports.index": frozenset({Role.ANALYST}),
    "reports.report": frozenset({Role.ANALYST}),
    "reports.print_report": frozenset({Role.ANALYST}),
    "reports.export": frozenset({Role.ANALYST}),
    # Each member of staff's own notices (reminders, escalations); rows are scoped to the caller.
    "inbox.items": ANY_STAFF,
    "inbox.read": ANY_STAFF,
    "inbox.read_all": ANY_STAFF,
    # The teacher's census pages: the link, the identity answer and the PIN are the keys.
    **{f"teacher.{name}": PUBLIC for name in TEACHER_ENDPOINTS},
}


def _requests(app: Flask) -> list[tuple[Rule, str, str]]:
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            url = url_for(rule.endpoint, **_sample_values(rule))
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule, method, url))
    # Logging out last, so that it does not end the persona's session mid-matrix.
    return sorted(found, key=lambda r: r[0].endpoint == "auth.logout")


def _sample_values(rule: Rule) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, UUIDConverter):
            values[name] = uuid.uuid4()
        else:
            values[name] = 987654
    return values


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
    for rule, method, url in _requests(web_app):
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
    for rule, method, url in _requests(web_app):
        expected = EXPECTED[rule.endpoint]
        allowed = expected in (PUBLIC, ANY_STAFF) or role in expected
        status, location = _call(client, method, url, token)
        if rule.endpoint != "auth.logout":
            assert "/login" not in location, (role, rule.endpoint, method, "session lost")
        if allowed:
            assert status != 403, (role, rule.endpoint, method)
        else:
            assert status == 403, (role, rule.endpoint, method, status)
