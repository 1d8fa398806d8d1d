"""Staff roles, what each may do, and which roles see identified data.

Permissions are named ``resource:action``. A role's permissions are fixed here, in one table, so
a security reviewer can read the whole policy on one screen.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """A staff role; each grant of one has a scope (schools, a district or the city)."""

    PSYCHOLOGIST = "psychologist"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    SYSTEM_ADMIN = "system_admin"
    SECURITY_ADMIN = "security_admin"
    AUDITOR = "auditor"


class Permission(enum.StrEnum):
    """Everything the access policy can allow."""

    ACCOUNT_SELF = "account:self"
    ACCOUNTS_MANAGE = "accounts:manage"
    GRANTS_APPROVE = "grants:approve"
    AUDIT_READ = "audit:read"
    CASES_READ = "cases:read"
    CASES_WORK = "cases:work"
    CASES_ASSIGN = "cases:assign"
    IDENTITY_REVEAL = "identity:reveal"
    REPORTS_READ = "reports:read"
    WAVES_MANAGE = "waves:manage"
    ROSTER_MANAGE = "roster:manage"
    # The statistical second reader (analysis/): its model card, its check-in list, its switch.
    MODEL_READ = "model:read"
    CHECKINS_WORK = "checkins:work"
    MODEL_SWITCH = "model:switch"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PSYCHOLOGIST: frozenset(
        {
            Permission.CASES_READ,
            Permission.CASES_WORK,
            Permission.IDENTITY_REVEAL,
            Permission.CHECKINS_WORK,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Permission.CASES_READ,
            Permission.CASES_ASSIGN,
            Permission.IDENTITY_REVEAL,
            Permission.MODEL_READ,
        }
    ),
    Role.ANALYST: frozenset({Permission.REPORTS_READ, Permission.MODEL_READ}),
    Role.SYSTEM_ADMIN: frozenset({Permission.WAVES_MANAGE, Permission.ROSTER_MANAGE}),
    Role.SECURITY_ADMIN: frozenset(
        {Permission.ACCOUNTS_MANAGE, Permission.GRANTS_APPROVE, Permission.MODEL_SWITCH}
    ),
    Role.AUDITOR: frozenset({Permission.AUDIT_READ}),
}

# Roles that see who a flagged teacher is.
IDENTIFIED_DATA_ROLES = frozenset({Role.PSYCHOLOGIST, Role.SUPERVISOR})
# Granting one of these, or resetting the credentials of an account that holds or awaits one,
# needs a second security administrator's approval (MLPS level 3 dual control). A security
# administrator is here too: one who could make another alone could approve their own requests.
DUAL_CONTROL_ROLES = IDENTIFIED_DATA_ROLES | {Role.SECURITY_ADMIN}
# Roles that must be linked to the holder's own roster record (to keep anyone off their own case).
ROSTER_LINKED_ROLES = IDENTIFIED_DATA_ROLES


class ScopeKind(enum.StrEnum):
    """What a grant covers."""

    SCHOOL = "school"
    DISTRICT = "district"
    CITY = "city"


ALLOWED_SCOPES: dict[Role, frozenset[ScopeKind]] = {
    Role.PSYCHOLOGIST: frozenset({ScopeKind.SCHOOL, ScopeKind.DISTRICT}),
    Role.SUPERVISOR: frozenset({ScopeKind.DISTRICT}),
    Role.ANALYST: frozenset({ScopeKind.CITY}),
    Role.SYSTEM_ADMIN: frozenset({ScopeKind.CITY}),
    Role.SECURITY_ADMIN: frozenset({ScopeKind.CITY}),
    Role.AUDITOR: frozenset({ScopeKind.CITY}),
}

ROLE_LABELS = {
    Role.PSYCHOLOGIST: "心理教师 School psychologist",
    Role.SUPERVISOR: "区督导 District supervisor",
    Role.ANALYST: "分析员 Bureau analyst",
    Role.SYSTEM_ADMIN: "系统管理员 System administrator",
    Role.SECURITY_ADMIN: "安全管理员 Security administrator",
    Role.AUDITOR: "审计员 Auditor",
}
