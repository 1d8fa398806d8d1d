"""The accounts' retention rules: dead staff sessions, old login attempts and ended credential
resets (``create_app`` gives them to the app's ``ops.retention.RetentionRegistry``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import false, or_, select
from sqlalchemy.sql.elements import ColumnElement

from accounts.models import (
    CredentialReset,
    LoginAttempt,
    ResetStatus,
    StaffAccount,
    StaffSession,
)
from ops.retention import PurgeContext, Rule, matching_rows


def dead_sessions(context: PurgeContext) -> ColumnElement[bool]:
    """Sessions no request can use any more: idle or absolute timeout passed, or voided."""
    settings = context.settings
    idle_since = context.now - dt.timedelta(minutes=settings.session_idle_minutes)
    born_before = context.now - dt.timedelta(hours=settings.session_absolute_hours)
    account = select(StaffAccount).where(StaffAccount.id == StaffSession.account_id)
    # The same tests as accounts.sessions._is_live, as one predicate the database can evaluate.
    return or_(
        StaffSession.last_seen_at < idle_since,
        StaffSession.created_at < born_before,
        account.where(StaffAccount.is_active == false()).exists(),
        account.where(StaffSession.created_at < StaffAccount.sessions_valid_after).exists(),
    )


def old_login_attempts(context: PurgeContext) -> ColumnElement[bool]:
    """Login attempts older than ``retention_login_attempts_days``."""
    days = context.settings.retention_login_attempts_days
    return LoginAttempt.at < context.now - dt.timedelta(days=days)


def ended_resets(context: PurgeContext) -> ColumnElement[bool]:
    """Credential resets done or cancelled over ``retention_notifications_days`` ago: each holds
    the sealed contact its link went to, kept as long as the outbox keeps the message (the audit
    log keeps who asked, who approved and when)."""
    days = context.settings.retention_notifications_days
    return CredentialReset.status.in_((ResetStatus.DONE, ResetStatus.CANCELLED)) & (
        CredentialReset.closed_at < context.now - dt.timedelta(days=days)
    )


purge_dead_sessions = matching_rows(StaffSession, dead_sessions)
purge_old_login_attempts = matching_rows(LoginAttempt, old_login_attempts)
purge_ended_resets = matching_rows(CredentialReset, ended_resets)


def retention_rules() -> list[Rule]:
    """The rules above, in the order a purge runs them."""
    return [
        Rule("staff-sessions", purge_dead_sessions),
        Rule("login-attempts", purge_old_login_attempts),
        Rule("credential-resets", purge_ended_resets),
    ]
