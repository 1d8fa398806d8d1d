"""Demo staff accounts: per district two school psychologists, a district-centre psychologist and a
supervisor, all linked to roster records (psychology teachers, ``demo.census``); one analyst, one
system administrator, two security administrators and one auditor. They share one password and one
TOTP secret, demo mode only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.passwords import Passwords
from accounts.roles import Role, ScopeKind
from demo.census import DISTRICT_NAMES, demo_census, school_names
from org.models import District, School, Teacher
from privacy.lookup import lookup_index
from privacy.vault import key_ring

DEMO_PASSWORD = "xinan-demo-2026"  # noqa: S105 (demo mode only, printed by `make run`)
PREFIXES = ("east", "west", "north")


@dataclass(frozen=True)
class DemoAccount:
    """One demo login: who it is and what it may do."""

    username: str
    role: Role
    staff_no: str | None
    # Indexes into the district's schools (in roster order); None for a district or city scope.
    schools: tuple[int, ...] | None
    district: str | None


def demo_accounts() -> list[DemoAccount]:
    """Every demo login, in the order `make run` prints them."""
    listed: list[DemoAccount] = []
    # Staff number k (1-based, up to two per school) is a psychology teacher at the school in
    # place (k - 1) mod schools of the roster (demo/census.py): a district's first three schools
    # hold its three psychologists, and its supervisor is the second at its first school. The
    # schools' districts in roster order are the same for every census size.
    in_order = [district for district, _, _ in school_names(demo_census()).values()]
    schools = len(in_order)
    for prefix, district in zip(PREFIXES, DISTRICT_NAMES, strict=True):
        first = in_order.index(district) + 1
        listed += [
            DemoAccount(f"psy.{prefix}1", Role.PSYCHOLOGIST, _staff(first), (1, 2), district),
            DemoAccount(f"psy.{prefix}2", Role.PSYCHOLOGIST, _staff(first + 1), (0, 2), district),
            DemoAccount(
                f"psy.{prefix}.centre", Role.PSYCHOLOGIST, _staff(first + 2), None, district
            ),
            DemoAccount(f"sup.{prefix}", Role.SUPERVISOR, _staff(first + schools), None, district),
        ]
    listed += [
        DemoAccount("analyst", Role.ANALYST, None, None, None),
        DemoAccount("sysadmin", Role.SYSTEM_ADMIN, None, None, None),
        DemoAccount("secadmin1", Role.SECURITY_ADMIN, None, None, None),
        DemoAccount("secadmin2", Role.SECURITY_ADMIN, None, None, None),
        DemoAccount("auditor", Role.AUDITOR, None, None, None),
    ]
    return listed


def _staff(n: int) -> str:
    return f"DEMO{n:05d}"


def create_demo_accounts(
    session: Session, passwords: Passwords, totp_secret: str, now: dt.datetime
) -> int:
    """Create the demo logins, already enrolled, with active grants; returns how many."""
    password_hash = passwords.hash(DEMO_PASSWORD)
    for spec in demo_accounts():
        account = StaffAccount(
            username=spec.username,
            password_hash=password_hash,
            must_change_password=False,
            teacher_id=_teacher_id(session, spec.staff_no) if spec.staff_no else None,
        )
        account.display_name = f"演示 {spec.username}"
        account.totp_secret = totp_secret
        session.add(account)
        for kind, target in _scopes(session, spec):
            session.add(
                RoleGrant(
                    account=account,
                    role=spec.role,
                    scope_kind=kind,
                    status=GrantStatus.ACTIVE,
                    school_id=target if kind is ScopeKind.SCHOOL else None,
                    district_id=target if kind is ScopeKind.DISTRICT else None,
                    created_at=now,
                    decided_at=now,
                )
            )
    session.flush()
    return len(demo_accounts())


def _teacher_id(session: Session, staff_no: str) -> object:
    index = lookup_index(key_ring(), "staff_no", staff_no)
    return session.scalars(select(Teacher.id).where(Teacher.staff_no_index == index)).one()


def _scopes(session: Session, spec: DemoAccount) -> list[tuple[ScopeKind, int | None]]:
    if spec.district is None:
        return [(ScopeKind.CITY, None)]
    district = session.scalars(select(District).where(District.name == spec.district)).one()
    if spec.schools is None:
        return [(ScopeKind.DISTRICT, district.id)]
    schools = session.scalars(
        select(School.id).where(School.district_id == district.id).order_by(School.id)
    ).all()
    return [(ScopeKind.SCHOOL, schools[i]) for i in spec.schools]
