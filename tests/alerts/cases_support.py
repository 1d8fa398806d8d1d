"""Rows for case tests: psychologists and supervisors with grants, and responses that open cases."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role, ScopeKind
from census.models import Response, Wave
from org.models import School, Teacher
from tests.factories import make_teacher
from tests.survey.factories import make_invitation, make_wave


def make_account(
    session: Session,
    role: Role,
    *,
    home: School,
    schools: list[School] | None = None,
    district_id: int | None = None,
) -> StaffAccount:
    """An active account linked to a new teacher at ``home``, with school or district grants."""
    teacher = make_teacher(session, home)
    account = StaffAccount(
        username=f"u{uuid.uuid4().hex[:10]}",
        password_hash="x",
        must_change_password=False,
        teacher_id=teacher.id,
    )
    session.add(account)
    session.flush()
    if district_id is not None:
        grants = [
            RoleGrant(
                account_id=account.id,
                role=role,
                scope_kind=ScopeKind.DISTRICT,
                district_id=district_id,
                status=GrantStatus.ACTIVE,
            )
        ]
    else:
        grants = [
            RoleGrant(
                account_id=account.id,
                role=role,
                scope_kind=ScopeKind.SCHOOL,
                school_id=s.id,
                status=GrantStatus.ACTIVE,
            )
            for s in schools or []
        ]
    session.add_all(grants)
    session.flush()
    return account


def make_response(
    session: Session, teacher: Teacher | None = None, wave: Wave | None = None
) -> Response:
    """A response of ``teacher`` (a new one by default) in ``wave`` (a new one by default)."""
    invitation, _ = make_invitation(session, wave or make_wave(session), teacher)
    response = Response(
        wave_id=invitation.wave_id,
        pseudonym=invitation.teacher.pseudonym,
        school_id=invitation.school_id,
        invitation_id=invitation.id,
    )
    session.add(response)
    session.flush()
    return response
