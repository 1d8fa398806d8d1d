"""The auditor's read model: filtered, paginated entries, newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from privacy.audit.models import AuditEntry

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class EntryFilter:
    """What an auditor may filter on; None means no filter. ``until`` is exclusive."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class EntryPage:
    """One page of entries, newest first, and whether an older page follows."""

    entries: list[AuditEntry]
    page: int
    per_page: int
    has_next: bool


def list_entries(
    session: Session,
    filters: EntryFilter | None = None,
    *,
    page: int = 1,
    per_page: int = 50,
) -> EntryPage:
    """Entries matching ``filters``, newest first; pages count from 1."""
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"page must be >= 1 and per_page within 1..{MAX_PER_PAGE}")
    query = _filtered(select(AuditEntry), filters or EntryFilter())
    # One row more than a page tells whether there is a next page without a COUNT over millions.
    rows = list(
        session.scalars(
            query.order_by(AuditEntry.seq.desc()).offset((page - 1) * per_page).limit(per_page + 1)
        )
    )
    return EntryPage(rows[:per_page], page, per_page, has_next=len(rows) > per_page)


def _filtered(query: Select[tuple[AuditEntry]], filters: EntryFilter) -> Select[tuple[AuditEntry]]:
    if filters.since is not None:
        query = query.where(AuditEntry.time >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEntry.time < filters.until)
    exact = {
        AuditEntry.actor: filters.actor,
        AuditEntry.action: filters.action,
        AuditEntry.object_type: filters.object_type,
        AuditEntry.object_id: filters.object_id,
        AuditEntry.outcome: filters.outcome,
    }
    for column, value in exact.items():
        if value is not None:
            query = query.where(column == value)
    return query
