"""The one access policy: who may do what, on which rows. Deny by default.

* ``PUBLIC_ENDPOINTS`` is the allow-list of endpoints that need no login.
* Every other view declares its permission with ``@requires(...)``; a view without one is refused
  to everybody, so a forgotten decorator fails closed.
* ``can(user, permission, obj)`` decides, including row scope: the schools a grant covers, and
  never a row about the user themselves.
* While an account's credentials are being reset, none of its grants confers anything.
* ``scope_to(...)`` is the one query helper through which lists of teacher-linked rows pass.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select, false, select
from sqlalchemy.orm import QueryableAttribute, Session

from accounts.models import (
    OPEN_RESET_STATES,
    CredentialReset,
    GrantStatus,
    RoleGrant,
    StaffAccount,
)
from accounts.roles import ROLE_PERMISSIONS, Permission, Role, ScopeKind
from org.models import School

# The teacher's census pages (the routes of survey/teacher/); tests check this list against the app.
TEACHER_ENDPOINTS = (
    "landing", "confirm", "new_pin", "unlock", "consent", "language", "resume", "page",
    "review", "submit", "done", "results", "talk", "withdraw", "pin_forgot", "pin_reset",
    "model_choice",
)  # fmt: skip
PUBLIC_ENDPOINTS = frozenset(
    {"static", "health.healthz", "auth.login"}
    # The teacher's pages: the link token, the identity answer and the PIN are the keys.
    | {f"teacher.{name}" for name in TEACHER_ENDPOINTS}
    # A teacher who lost the link asks for it again (it goes to the roster contact).
    | {"lost_link.lost_link"}
    # A member of staff sets new credentials through the one-time link sent to their contact.
    | {"enrol.enrol"}
)
# A session that still has to set its password and enrol TOTP may reach only these.
SETUP_ENDPOINTS = frozenset({"auth.setup", "auth.logout"})
# Every logged-in member of staff holds these, whatever their roles.
BASE_PERMISSIONS = frozenset({Permission.ACCOUNT_SELF})

CITY = None  # a scope covering every school
F = TypeVar("F", bound=Callable[..., Any])


class TeacherLinked(Protocol):
    """A row about one teacher at one school (a case, an answer set, a roster record)."""

    @property
    def school_id(self) -> int: ...
    @property
    def teacher_id(self) -> uuid.UUID | None: ...


@dataclass(frozen=True)
class Principal:
    """A logged-in member of staff, with the schools each permission reaches."""

    account_id: uuid.UUID
    username: str
    teacher_id: uuid.UUID | None
    roles: frozenset[Role]
    # Permission -> school ids it reaches, or CITY (None) for every school.
    reach: dict[Permission, frozenset[int] | None] = field(default_factory=dict)

    def has(self, permission: Permission) -> bool:
        """Whether any grant gives this permission, whatever its scope."""
        return permission in BASE_PERMISSIONS or permission in self.reach


def load_principal(session: Session, account: StaffAccount) -> Principal:
    """Build the principal from the account's active grants, read fresh on every request; an
    account whose reset is under way (``accounts.resets``) holds none of them until it is done."""
    grants = session.scalars(
        select(RoleGrant).where(
            RoleGrant.account_id == account.id, RoleGrant.status == GrantStatus.ACTIVE
        )
    ).all()
    if grants and is_suspended(session, account.id):
        grants = []
    reach: dict[Permission, frozenset[int] | None] = {}
    for grant in grants:
        schools = _schools_of(session, grant)
        for permission in ROLE_PERMISSIONS[grant.role]:
            reach[permission] = _union(reach.get(permission, frozenset()), schools)
    return Principal(
        account_id=account.id,
        username=account.username,
        teacher_id=account.teacher_id,
        roles=frozenset(g.role for g in grants),
        reach=reach,
    )


def is_suspended(session: Session, account_id: uuid.UUID) -> bool:
    """Whether a reset of the account is under way: asked for, and not yet approved and used."""
    found = session.scalars(
        select(CredentialReset.id)
        .where(
            CredentialReset.account_id == account_id,
            CredentialReset.status.in_(OPEN_RESET_STATES),
        )
        .limit(1)
    ).first()
    return found is not None


def _schools_of(session: Session, grant: RoleGrant) -> frozenset[int] | None:
    if grant.scope_kind is ScopeKind.CITY:
        return CITY
    if grant.scope_kind is ScopeKind.SCHOOL:
        return frozenset({grant.school_id}) if grant.school_id is not None else frozenset()
    ids = session.scalars(select(School.id).where(School.district_id == grant.district_id))
    return frozenset(ids.all())


def _union(a: frozenset[int] | None, b: frozenset[int] | None) -> frozenset[int] | None:
    return CITY if a is CITY or b is CITY else a | b


def can(user: Principal | None, permission: Permission, obj: TeacherLinked | None = None) -> bool:
    """Whether ``user`` may use ``permission``, on ``obj`` when one is given."""
    if user is None or not user.has(permission):
        return False
    if obj is None:
        return True
    if user.teacher_id is not None and obj.teacher_id == user.teacher_id:
        return False  # nobody handles a row about themselves
    reach = user.reach.get(permission, frozenset())
    return reach is CITY or obj.school_id in reach


def scope_to(
    query: Select[Any],
    user: Principal,
    permission: Permission,
    school_column: ColumnElement[int] | QueryableAttribute[int],
    teacher_column: ColumnElement[uuid.UUID] | QueryableAttribute[uuid.UUID] | None = None,
) -> Select[Any]:
    """Narrow ``query`` to the rows ``user`` may see with ``permission``."""
    if not user.has(permission):
        return query.where(false())
    reach = user.reach.get(permission, frozenset())
    if reach is not CITY:
        query = query.where(school_column.in_(sorted(reach))) if reach else query.where(false())
    if teacher_column is not None and user.teacher_id is not None:
        query = query.where(teacher_column != user.teacher_id)
    return query


def requires(*permissions: Permission) -> Callable[[F], F]:
    """Declare the permission a view needs (any one of ``permissions``)."""

    def mark(view: F) -> F:
        view.required_permissions = frozenset(permissions)  # type: ignore[attr-defined]
        return view

    return mark


def required_permissions(view: Callable[..., Any] | None) -> frozenset[Permission] | None:
    """What a view declared with ``@requires``, or None if it declared nothing."""
    return getattr(view, "required_permissions", None)
