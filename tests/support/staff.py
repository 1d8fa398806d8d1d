"""Staff who log in through the real form: a committed account with grants and a TOTP secret.

The ``make_staff`` and ``login_as`` fixtures (``tests/conftest.py``) call ``create_staff`` and
``login`` on the committed app; for an account row in a test's own session, see
``tests.support.factories.staff``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pyotp
from flask import Flask
from flask.testing import FlaskClient

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role, ScopeKind
from db import utcnow
from org.models import School
from tests.support.apps import app_session
from tests.support.factories.org import make_school, make_teacher
from tests.support.forms import csrf_token

PASSWORD = "Correct-Horse-Battery-7"


@dataclass
class Staff:
    """A committed staff account, its TOTP secret and a logged-in client (once logged in)."""

    account_id: uuid.UUID
    username: str
    secret: str
    teacher_id: uuid.UUID | None
    school_ids: list[int]


def totp_now(secret: str, offset_steps: int = 0) -> str:
    """The current TOTP code (optionally one step before or after)."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(utcnow()) + offset_steps)


def create_staff(
    app: Flask,
    *roles: Role,
    district: str = "一区",
    school: str = "甲校",
    linked: bool = True,
    pending: bool = False,
) -> Staff:
    """An enrolled account with a grant of each of ``roles`` over ``school`` (its district, the
    city: as the role's scope), linked to a new teacher there unless not ``linked``; committed."""
    with app_session(app) as session:
        place = make_school(session, name=school, district=district)
        teacher = make_teacher(session, place) if linked else None
        secret = pyotp.random_base32(32)
        account = StaffAccount(
            username=f"u{uuid.uuid4().hex[:10]}",
            password_hash=app.extensions["xinan.passwords"].hash(PASSWORD),
            must_change_password=False,
            teacher_id=teacher.id if teacher else None,
        )
        account.totp_secret = secret
        session.add(account)
        for role in roles:
            session.add(_grant(account, role, place, pending))
        session.commit()
        return Staff(
            account.id, account.username, secret, teacher.id if teacher else None, [place.id]
        )


def _grant(account: StaffAccount, role: Role, school: School, pending: bool) -> RoleGrant:
    kind = {Role.PSYCHOLOGIST: ScopeKind.SCHOOL, Role.SUPERVISOR: ScopeKind.DISTRICT}.get(
        role, ScopeKind.CITY
    )
    return RoleGrant(
        account=account,
        role=role,
        scope_kind=kind,
        school_id=school.id if kind is ScopeKind.SCHOOL else None,
        district_id=school.district_id if kind is ScopeKind.DISTRICT else None,
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
