"""Retention: a small registry of purge rules, run by a scheduled job and by ``retention purge``.

A rule is a name and a function ``purge(session, context) -> int`` that deletes what has outlived
its retention period (or, on a dry run, only counts it) and returns how many rows. A feature adds
its own data by calling ``register_rule`` once at start-up (``matching_rows`` builds the usual
"delete the rows of this model that match this condition" rule). Every rule decides by comparing
timestamps with ``context.now``, so a purge run twice, or again after a crash, deletes nothing
more the second time; each rule commits on its own together with its audit entry, so a crash
loses at most the rule that was running, and the next run does it.

Audit entries are never purged here: the log is append-only and its archiving after
``retention_audit_days`` is an operator's task (docs/decisions/0003-audit-chain.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from config.current import settings_of
from config.settings import Settings
from db import Base, Database, utcnow
from db.current import database_of
from ops.scheduler import scheduler_of
from privacy.audit import AuditEntry, record

log = logging.getLogger(__name__)
RULE_NAME = re.compile(r"[a-z]+(?:-[a-z]+)*\Z")


@dataclass(frozen=True)
class PurgeContext:
    """What a rule decides by: the time, the settings, and whether to delete or only count."""

    now: dt.datetime
    settings: Settings
    dry_run: bool = False


PurgeFn = Callable[[Session, PurgeContext], int]
_rules: dict[str, PurgeFn] = {}


def register_rule(name: str, purge_fn: PurgeFn) -> None:
    """Add a purge rule; registering the same function under the same name again is a no-op."""
    if not RULE_NAME.match(name):
        raise ValueError(f"rule name {name!r} must be lower-case words joined by hyphens")
    if _rules.get(name, purge_fn) is not purge_fn:
        raise ValueError(f"a different retention rule is already registered as {name!r}")
    _rules[name] = purge_fn


def registered_rules() -> dict[str, PurgeFn]:
    """The rules by name, in the order they were registered."""
    return dict(_rules)


def matching_rows(
    model: type[Base], condition: Callable[[PurgeContext], ColumnElement[bool]]
) -> PurgeFn:
    """A rule deleting (on a dry run, counting) the rows of ``model`` that meet ``condition``."""

    def purge(session: Session, context: PurgeContext) -> int:
        where = condition(context)
        if context.dry_run:
            return int(session.scalar(select(func.count()).select_from(model).where(where)) or 0)
        result = session.execute(
            delete(model).where(where).execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    return purge


def purge_rule(session: Session, name: str, context: PurgeContext) -> int:
    """Run one rule in the caller's transaction and audit what it deleted; returns the count."""
    count = _rules[name](session, context)
    if count and not context.dry_run:
        record(session, "system", "retention.purge", detail={"rule": name, "deleted": count})
    session.flush()
    return count


def run_purge(database: Database, context: PurgeContext) -> dict[str, int | None]:
    """Run every rule, each in a transaction of its own; a failed rule counts as None."""
    counts: dict[str, int | None] = {}
    for name in list(_rules):
        try:
            with Session(database.engine) as session, session.begin():
                counts[name] = purge_rule(session, name, context)
        except Exception:
            # One broken rule must not keep the others from running; the next run retries it.
            log.exception(
                "retention rule failed", extra={"event": "retention.failed", "rule": name}
            )
            counts[name] = None
    return counts


def audit_entries_past_retention(session: Session, context: PurgeContext) -> int:
    """How many audit entries are older than ``retention_audit_days`` (to archive by hand)."""
    cutoff = context.now - dt.timedelta(days=context.settings.retention_audit_days)
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.time < cutoff)
    return int(session.scalar(query) or 0)


def install(app: Flask) -> None:
    """Register the built-in rules and the scheduled purge on the app's one scheduler."""
    from ops.retention_rules import register_builtin_rules

    register_builtin_rules()
    settings, database = settings_of(app), database_of(app)

    def sweep() -> None:
        counts = run_purge(database, PurgeContext(now=utcnow(), settings=settings))
        log.info("retention purge ran", extra={"event": "retention.purge", "counts": counts})

    scheduler_of(app).add_sweep(sweep, settings.retention_purge_minutes * 60, "retention.purge")
