"""Audit entries for what staff do, with the logged-in account as the actor."""

from __future__ import annotations

from collections.abc import Mapping

from flask import g

from db import Database
from db.current import current_database
from privacy.audit.record import record, record_independently


def _database() -> Database:
    return current_database()


def _actor() -> str:
    principal = g.get("principal")
    return str(principal.account_id) if principal is not None else "anonymous"


def audit(
    action: str,
    *,
    actor: str | None = None,
    outcome: str = "ok",
    object_type: str | None = None,
    object_id: str | None = None,
    detail: Mapping[str, object] | None = None,
) -> None:
    """Record an entry in the request's transaction: it commits only if the request succeeds."""
    record(
        _database().session(),
        actor or _actor(),
        action.replace("-", "_"),
        outcome=outcome,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


def audit_denied(
    object_type: str, object_id: str | None, detail: Mapping[str, object] | None = None
) -> None:
    """Record a refusal so that it survives the request's rollback."""
    database = _database()
    # Drop the request's own writes first: on SQLite they would hold the lock the entry needs.
    database.session().rollback()
    record_independently(
        database,
        _actor(),
        "authz.deny",
        outcome="denied",
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
