"""Staff accounts with grants, as rows: ``make_account(session, Role.X, home=school, ...)``.

For an account that logs in through the real form, see ``tests.support.staff``.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role, ScopeKind
from org.models import School
from tests.support.factories.org import make_teacher


def make_account(
    session: Session,
    role: Role,
    *,
    home: School,
    schools: list[School] | None = None,
    district_id: int | None = None,
    **teacher_fields: Any,
) -> StaffAccount:
    """An active account linked to a new teacher at ``home`` (``teacher_fields`` set the
    teacher's fields, such as ``email``), with active school or district grants of ``role``."""
    teacher = make_teacher(session, home, **teacher_fields)
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
