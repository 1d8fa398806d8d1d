"""Retention: each app's registry of purge rules, run by a scheduled job and by ``retention purge``.

A rule is a name and a function ``purge(session, context) -> int`` that deletes what has outlived
its retention period (or, on a dry run, only counts it) and returns how many rows. Each package
that keeps data offers its rules from a ``retention_rules()`` function of its own (``matching_rows``
builds the usual "delete the rows of this model that match this condition" rule); ``create_app``
collects them into a ``RetentionRegistry`` that belongs to that app alone, so two apps in one
process never share rules.

Every rule decides by comparing timestamps with ``context.now``, so a purge run twice, or again
after a crash, deletes nothing more the second time; each rule commits on its own together with
its audit entry, so a crash loses at most the rule that was running, and the next run does it.

Audit entries are never purged here: the log is append-only and its archiving after
``retention_audit_days`` is an operator's task (docs/decisions/0003-audit-chain.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Iterator
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
EXTENSION = "xinan.retention"


@dataclass(frozen=True)
class Rule:
    """A purge rule: a name (lower-case words joined by hyphens) and the function that purges."""

    name: str
    purge: PurgeFn

    def __post_init__(self) -> None:
        if not RULE_NAME.match(self.name):
            raise ValueError(f"rule name {self.name!r} must be lower-case words joined by hyphens")


class RetentionRegistry:
    """One app's purge rules by name, run in the order they were added."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: dict[str, Rule] = {}
        for rule in rules:
            self.add(rule)

    def add(self, rule: Rule) -> None:
        """Add ``rule``; adding the same function under the same name again is a no-op."""
        known = self._rules.get(rule.name, rule)
        if known.purge is not rule.purge:
            raise ValueError(f"a different retention rule is already registered as {rule.name!r}")
        self._rules[rule.name] = known

    def __iter__(self) -> Iterator[Rule]:
        return iter(list(self._rules.values()))

    def names(self) -> list[str]:
        """The rules' names, in the order they run."""
        return list(self._rules)

    def get(self, name: str) -> Rule:
        """The rule called ``name`` (KeyError when there is none)."""
        return self._rules[name]

    def purge(self, session: Session, name: str, context: PurgeContext) -> int:
        """Run one rule in the caller's transaction and audit what it deleted; returns the count."""
        count = self._rules[name].purge(session, context)
        if count and not context.dry_run:
            record(session, "system", "retention.purge", detail={"rule": name, "deleted": count})
        session.flush()
        return count

    def run(self, database: Database, context: PurgeContext) -> dict[str, int | None]:
        """Run every rule, each in a transaction of its own; a failed rule counts as None."""
        counts: dict[str, int | None] = {}
        for name in self.names():
            try:
                with Session(database.engine) as session, session.begin():
                    counts[name] = self.purge(session, name, context)
            except Exception:
                # One broken rule must not keep the others from running; the next run retries it.
                log.exception(
                    "retention rule failed", extra={"event": "retention.failed", "rule": name}
                )
                counts[name] = None
        return counts


def retention_registry(app: Flask) -> RetentionRegistry:
    """The purge rules ``create_app`` gave ``app``."""
    registry = app.extensions[EXTENSION]
    if not isinstance(registry, RetentionRegistry):
        raise TypeError(f"app.extensions[{EXTENSION!r}] is not a RetentionRegistry")
    return registry


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


def audit_entries_past_retention(session: Session, context: PurgeContext) -> int:
    """How many audit entries are older than ``retention_audit_days`` (to archive by hand)."""
    cutoff = context.now - dt.timedelta(days=context.settings.retention_audit_days)
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.time < cutoff)
    return int(session.scalar(query) or 0)


def install(app: Flask, registry: RetentionRegistry) -> None:
    """Give ``app`` its purge rules and schedule the purge on the app's one scheduler."""
    app.extensions[EXTENSION] = registry
    settings, database = settings_of(app), database_of(app)

    def sweep() -> None:
        counts = registry.run(database, PurgeContext(now=utcnow(), settings=settings))
        log.info("retention purge ran", extra={"event": "retention.purge", "counts": counts})

    scheduler_of(app).add_sweep(sweep, settings.retention_purge_minutes * 60, "retention.purge")
