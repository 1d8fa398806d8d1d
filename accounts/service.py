"""Managing staff accounts: create, grant and approve roles, disable (resets: ``resets.py``).

Separation of duties: nobody changes their own roles or scopes; a grant of a role under dual
control (one that sees identified data, or security administration) stays pending until a second
security administrator — neither the requester nor the grantee — approves it.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.authentication import find_account, normalise_username
from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.passwords import Passwords, check_new_password
from accounts.roles import (
    ALLOWED_SCOPES,
    DUAL_CONTROL_ROLES,
    ROSTER_LINKED_ROLES,
    Role,
    ScopeKind,
)
from accounts.sessions import end_all_sessions
from org.models import District, School, Teacher
from privacy.lookup import lookup_index
from privacy.vault import key_ring

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
MAX_EMAIL = 254


class AccountError(ValueError):
    """A request the rules refuse; the message is fit to show to the security administrator."""


def temporary_password() -> str:
    """A one-time password for the very first security administrator (``accounts`` CLI) only."""
    return secrets.token_urlsafe(15)


def create_account(
    session: Session,
    passwords: Passwords,
    username: str,
    display_name: str,
    staff_no: str | None = None,
    email: str | None = None,
) -> StaffAccount:
    """A new account that nobody can log in to yet: its owner sets a password and an
    authenticator through the enrolment link (``resets.begin_first_enrolment``)."""
    name = normalise_username(username)
    if not USERNAME.fullmatch(name):
        raise AccountError("用户名须为 3–64 位小写字母、数字或 . _ - / invalid user name")
    if find_account(session, name) is not None:
        raise AccountError("用户名已存在 / user name already taken")
    account = StaffAccount(username=name, password_hash=passwords.unusable())
    account.display_name = display_name.strip()[:100] or name
    if staff_no:
        account.teacher_id = _teacher_by_staff_no(session, staff_no).id
    if email:
        account.email = checked_email(email)
    session.add(account)
    session.flush()
    return account


def checked_email(email: str) -> str:
    """The e-mail address, trimmed, if it looks like one; raises AccountError otherwise."""
    value = email.strip()
    if len(value) > MAX_EMAIL or not EMAIL.fullmatch(value):
        raise AccountError("邮箱格式不正确 / not an e-mail address")
    return value


def _teacher_by_staff_no(session: Session, staff_no: str) -> Teacher:
    index = lookup_index(key_ring(), "staff_no", staff_no)
    teacher = session.scalars(select(Teacher).where(Teacher.staff_no_index == index)).first()
    if teacher is None:
        raise AccountError("花名册中没有此工号 / no teacher with this staff number on the roster")
    return teacher


def request_grant(
    session: Session,
    account: StaffAccount,
    role: Role,
    scope: tuple[ScopeKind, int | None],
    actor_id: uuid.UUID | None,
    now: dt.datetime,
) -> RoleGrant:
    """Grant ``role`` over ``scope``; pending when the role is under dual control."""
    kind, target = scope
    if actor_id == account.id:
        raise AccountError("不能更改自己的角色或范围 / nobody changes their own roles")
    if kind not in ALLOWED_SCOPES[role]:
        raise AccountError("此角色不能使用该范围 / this role cannot have that scope")
    if role in ROSTER_LINKED_ROLES and account.teacher_id is None:
        raise AccountError("此角色须关联本人的花名册记录 / link the account to its roster record")
    school_id = _existing_id(session, School, target) if kind is ScopeKind.SCHOOL else None
    district_id = _existing_id(session, District, target) if kind is ScopeKind.DISTRICT else None
    active = role not in DUAL_CONTROL_ROLES
    grant = RoleGrant(
        account=account,
        role=role,
        scope_kind=kind,
        school_id=school_id,
        district_id=district_id,
        requested_by_id=actor_id,
        created_at=now,
        status=GrantStatus.ACTIVE if active else GrantStatus.PENDING,
        decided_by_id=actor_id if active else None,
        decided_at=now if active else None,
    )
    session.add(grant)
    session.flush()
    return grant


def _existing_id(session: Session, model: type[School] | type[District], key: int | None) -> int:
    found = session.scalar(select(model.id).where(model.id == key)) if key is not None else None
    if found is None:
        raise AccountError("范围不存在 / no such school or district")
    return int(found)


def decide_grant(
    session: Session, grant: RoleGrant, approve: bool, actor_id: uuid.UUID, now: dt.datetime
) -> None:
    """Approve or reject a pending grant, as a second security administrator."""
    if grant.status is not GrantStatus.PENDING:
        raise AccountError("该授权不在待批准状态 / this grant is not pending")
    if actor_id in (grant.account_id, grant.requested_by_id):
        raise AccountError("须由另一位安全管理员批准 / a second security administrator must decide")
    grant.status = GrantStatus.ACTIVE if approve else GrantStatus.REJECTED
    grant.decided_by_id, grant.decided_at = actor_id, now


def revoke_grant(session: Session, grant: RoleGrant, actor_id: uuid.UUID, now: dt.datetime) -> None:
    """Withdraw a pending or active grant; it takes effect on the holder's next request."""
    if actor_id == grant.account_id:
        raise AccountError("不能更改自己的角色或范围 / nobody changes their own roles")
    if grant.status not in (GrantStatus.PENDING, GrantStatus.ACTIVE):
        raise AccountError("该授权已结束 / this grant has already ended")
    grant.status = GrantStatus.REVOKED
    grant.decided_by_id, grant.decided_at = actor_id, now


def set_active(
    session: Session, account: StaffAccount, active: bool, actor_id: uuid.UUID, now: dt.datetime
) -> None:
    """Disable or re-enable an account; disabling ends its sessions at once."""
    if actor_id == account.id:
        raise AccountError("不能停用自己的账号 / you cannot disable your own account")
    account.is_active = active
    if not active:
        end_all_sessions(session, account, now)


def change_password(
    session: Session, passwords: Passwords, account: StaffAccount, new: str, now: dt.datetime
) -> None:
    """Set the user's own new password; all their sessions end (the caller starts a new one)."""
    check_new_password(new, context=(account.username,))
    account.password_hash = passwords.hash(new)
    account.must_change_password = False
    end_all_sessions(session, account, now)
