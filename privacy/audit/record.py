"""Appending to the audit chain: in the caller's transaction, or in a short one of its own.

An append first moves the ``audit_head`` row forward by one. That UPDATE is the lock: on
PostgreSQL a second writer waits on the row until the first commits or rolls back; on SQLite the
first write of a transaction takes the database's write lock (waiting out the busy timeout),
so it must come before the read of the previous hash. Only then is the previous entry read, so
every writer chains to a committed entry, ``seq`` stays gap-free (a rolled-back append rolls back
the head too) and two writers cannot fork the chain — the unique ``seq`` backs this up.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import cast

from sqlalchemy import Table, bindparam, select, text, update
from sqlalchemy.orm import Session

from db import Database, utcnow
from privacy.audit.chain import EntryFields, entry_hash
from privacy.audit.fields import (
    check_action,
    check_actor,
    check_detail,
    check_id,
    check_object_type,
    check_outcome,
)
from privacy.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from privacy.vault import key_ring

Id = str | int | uuid.UUID
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class AuditUnavailable(RuntimeError):
    """The audit head row is missing: the database was not migrated, or was tampered with."""


def record(
    session: Session,
    actor: Id,
    action: str,
    *,
    outcome: str = "ok",
    object_type: str | None = None,
    object_id: Id | None = None,
    detail: Mapping[str, object] | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction (it commits or rolls back with the work).

    Call it last in a service operation: on PostgreSQL the head row stays locked until the
    caller's transaction ends, so other appends wait for it.
    """
    checked = _checked(actor, action, outcome, object_type, object_id, detail)
    seq = _claim_seq(session)
    prev_hash = _prev_hash(session, seq)
    # The time is taken under the head lock, so time order follows seq order on one clock.
    fields = replace(checked, seq=seq, time=utcnow())
    entry = AuditEntry(
        seq=fields.seq,
        time=fields.time,
        actor=fields.actor,
        action=fields.action,
        object_type=fields.object_type,
        object_id=fields.object_id,
        outcome=fields.outcome,
        detail=dict(fields.detail),
        prev_hash=prev_hash,
        hash=entry_hash(key_ring().secret("audit"), fields, prev_hash),
    )
    session.add(entry)
    session.flush()
    return entry


def record_independently(
    database: Database,
    actor: Id,
    action: str,
    *,
    outcome: str = "ok",
    object_type: str | None = None,
    object_id: Id | None = None,
    detail: Mapping[str, object] | None = None,
) -> AuditEntry:
    """Append an entry and commit it at once, on a connection of its own.

    For events that must outlive the request's rollback: failed logins, denied access. The
    request's own transaction must not hold a write at this point — on SQLite that write lock
    would keep this append waiting until the busy timeout — so call it before any write, or in
    a request that ends in an error anyway.
    """
    with Session(database.engine, expire_on_commit=False) as session, session.begin():
        return record(
            session,
            actor,
            action,
            outcome=outcome,
            object_type=object_type,
            object_id=object_id,
            detail=detail,
        )


def _checked(
    actor: Id,
    action: str,
    outcome: str,
    object_type: str | None,
    object_id: Id | None,
    detail: Mapping[str, object] | None,
) -> EntryFields:
    # Validate everything before touching the head, so a refused entry costs no lock.
    return EntryFields(
        seq=0,
        time=EPOCH,
        actor=check_actor(actor),
        action=check_action(action),
        object_type=check_object_type(object_type),
        object_id=None if object_id is None else check_id(object_id),
        outcome=check_outcome(outcome),
        detail=check_detail(detail),
    )


# Built once: building a statement costs more than running it, and appends run inside the
# caller's write lock. Built on the tables, not the models, so that the session runs them as
# plain SQL: the ORM's bulk-UPDATE path cost more than the UPDATE itself.
_HEAD = cast(Table, AuditHead.__table__)
_ENTRIES = cast(Table, AuditEntry.__table__)
_CLAIM_SEQ = update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq + 1).returning(_HEAD.c.seq)
# The highest entry below ``seq`` rather than exactly seq - 1: if an entry was removed, the new
# one still chains to what is there, and verify reports the gap where it is.
_PREV_HASH = (
    select(_ENTRIES.c.hash)
    .where(_ENTRIES.c.seq < bindparam("seq"))
    .order_by(_ENTRIES.c.seq.desc())
    .limit(1)
)


# PostgreSQL: lock the head row as an append would (an UPDATE of it waits). SQLite: become the
# one writer, as an append would, without touching a row (the head only ever moves forward).
_HOLD_HEAD = select(AuditHead.seq).where(AuditHead.id == 1).with_for_update()
_HOLD_DATABASE = text("UPDATE audit_head SET seq = seq WHERE 0")


def hold_head(session: Session) -> None:
    """Take the append lock without appending, until the caller's transaction ends.

    No other writer can append meanwhile, so whatever the caller reads about the chain now stays
    true until it commits: a decision "write this entry unless it is already there" is made by
    one writer at a time (``alerts.case_audit``).
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(_HOLD_DATABASE)
    elif session.execute(_HOLD_HEAD).scalar_one_or_none() is None:
        raise AuditUnavailable("audit_head has no row: run `flask --app app db upgrade`")


def _claim_seq(session: Session) -> int:
    # The caller's pending writes go first, as they would before an ORM statement.
    session.flush()
    claimed = session.execute(_CLAIM_SEQ).scalar_one_or_none()
    if claimed is None:
        raise AuditUnavailable("audit_head has no row: run `flask --app app db upgrade`")
    return int(claimed)


def _prev_hash(session: Session, seq: int) -> str:
    found = session.execute(_PREV_HASH, {"seq": seq}).scalar_one_or_none()
    return found if found is not None else GENESIS_HASH
