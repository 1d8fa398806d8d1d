"""Web tests against committed data, as the real app runs: a fresh database per module.

Audit entries for refusals commit on their own connection, which a rolled-back test transaction
would block; so these tests commit, and each module gets its own database.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role, ScopeKind
from app import create_app
from db import Database, utcnow
from tests.conftest import build_settings
from tests.factories import make_school, make_teacher

PASSWORD = "Correct-Horse-Battery-7"
CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


@pytest.fixture(scope="module")
def web_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One instance folder (and so one key ring) per module, matching its database."""
    return tmp_path_factory.mktemp("web") / "instance"


@pytest.fixture
def web_app(module_url: str, web_instance: Path) -> Iterator[Flask]:
    """The app on the module's database."""
    settings = build_settings(web_instance, module_url)
    app = create_app(settings)
    yield app
    app.extensions["xinan.db"].dispose()


@dataclass
class Staff:
    """A committed staff account, its TOTP secret and a logged-in client (once logged in)."""

    account_id: uuid.UUID
    username: str
    secret: str
    teacher_id: uuid.UUID | None
    school_ids: list[int]


def csrf_token(client: FlaskClient, url: str = "/login") -> str:
    """The CSRF token of the form at ``url`` for this client's session."""
    match = CSRF.search(client.get(url).get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def totp_now(secret: str, offset_steps: int = 0) -> str:
    """The current TOTP code (optionally one step before or after)."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(utcnow()) + offset_steps)


@pytest.fixture
def make_staff(web_app: Flask) -> Callable[..., Staff]:
    """``make_staff(Role.X, scope=..., school=...)`` → an enrolled account with an active grant."""
    database: Database = web_app.extensions["xinan.db"]

    def make(
        *roles: Role,
        district: str = "一区",
        school: str = "甲校",
        linked: bool = True,
        pending: bool = False,
    ) -> Staff:
        with web_app.app_context():
            session = database.session()
            place = make_school(session, name=school, district=district)
            teacher = make_teacher(session, place) if linked else None
            secret = pyotp.random_base32(32)
            account = StaffAccount(
                username=f"u{uuid.uuid4().hex[:10]}",
                password_hash=web_app.extensions["xinan.passwords"].hash(PASSWORD),
                must_change_password=False,
                teacher_id=teacher.id if teacher else None,
            )
            account.totp_secret = secret
            session.add(account)
            for role in roles:
                session.add(_grant(account, role, place, pending))
            session.commit()
            staff = Staff(
                account.id, account.username, secret, teacher.id if teacher else None, [place.id]
            )
            database.sessions.remove()
            return staff

    return make


def _grant(account: StaffAccount, role: Role, school: object, pending: bool) -> RoleGrant:
    kind = {Role.PSYCHOLOGIST: ScopeKind.SCHOOL, Role.SUPERVISOR: ScopeKind.DISTRICT}.get(
        role, ScopeKind.CITY
    )
    return RoleGrant(
        account=account,
        role=role,
        scope_kind=kind,
        school_id=school.id if kind is ScopeKind.SCHOOL else None,  # type: ignore[attr-defined]
        district_id=school.district_id if kind is ScopeKind.DISTRICT else None,  # type: ignore[attr-defined]
        status=GrantStatus.PENDING if pending else GrantStatus.ACTIVE,
    )


def login(
    client: FlaskClient, staff: Staff, password: str = PASSWORD, code: str | None = None
) -> int:
    """Log in through the real form; returns the response status (302 on success)."""
    response = client.post(
        "/login",
        data={
            "username": staff.username,
            "password": password,
            "code": code if code is not None else totp_now(staff.secret),
            "csrf_token": csrf_token(client),
        },
    )
    return response.status_code


@pytest.fixture
def login_as(
    web_app: Flask, make_staff: Callable[..., Staff]
) -> Callable[..., tuple[FlaskClient, Staff]]:
    """``login_as(Role.X, ...)`` → a client logged in as a fresh account with that role."""

    def log_in(*roles: Role, **place: str) -> tuple[FlaskClient, Staff]:
        staff = make_staff(*roles, **place)
        client = web_app.test_client()
        assert login(client, staff) == 302
        return client, staff

    return log_in
