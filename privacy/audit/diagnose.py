"""Naming what is wrong with an entry whose HMAC fails: moved, altered, inserted or forged.

An HMAC only says "this is not what Xinan wrote here". The neighbours say more, and it is worth
saying, because an auditor's next step differs: an entry valid at another seq was moved
(reordered); one the next entry still links to kept its hash while its content changed (altered);
one the next entry links past, to the entry before, was slipped in (inserted); anything else —
often the newest entry, which has no successor — is reported as forged.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from privacy.audit.chain import EntryFields, entry_hash, hashes_equal
from privacy.audit.models import AuditEntry

# How far from its place a moved entry is looked for (besides where its link points).
MOVE_WINDOW = 64
COLUMNS = (
    AuditEntry.seq,
    AuditEntry.time,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.outcome,
    AuditEntry.detail,
    AuditEntry.prev_hash,
    AuditEntry.hash,
)


class ProblemKind(enum.StrEnum):
    """The kinds of fault verify can name."""

    MISSING = "missing"
    ALTERED = "altered"
    INSERTED = "inserted"
    FORGED = "forged"
    REORDERED = "reordered"
    UNLINKED = "unlinked"
    REWRITTEN = "rewritten"
    TRUNCATED = "truncated"


@dataclass(frozen=True)
class Problem:
    """The first bad entry: its seq, the kind of fault, and a sentence for the auditor."""

    seq: int
    kind: ProblemKind
    message: str


def as_fields(row: Any) -> tuple[EntryFields, str, str]:
    """An entry row as (hashed fields, stored prev_hash, stored hash)."""
    fields = EntryFields(
        seq=row.seq,
        time=row.time,
        actor=row.actor,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        outcome=row.outcome,
        detail=row.detail if isinstance(row.detail, dict) else {"": repr(row.detail)},
    )
    return fields, row.prev_hash, row.hash


def is_authentic(key: bytes, fields: EntryFields, prev_hash: str, stored_hash: str) -> bool:
    """True when the stored hash is the HMAC of these fields and this prev_hash."""
    return hashes_equal(entry_hash(key, fields, prev_hash), stored_hash)


def diagnose(
    session: Session,
    key: bytes,
    fields: EntryFields,
    stored_prev: str,
    stored_hash: str,
    expected_prev: str,
) -> Problem:
    """Classify an entry whose HMAC fails, using where its link points and its successor."""
    seq = fields.seq
    original = _original_seq(session, key, fields, stored_prev, stored_hash)
    if original is not None:
        return Problem(
            seq,
            ProblemKind.REORDERED,
            f"entry {seq} is authentic but was written as entry {original}: entries were reordered",
        )
    successor_prev = session.execute(
        select(AuditEntry.prev_hash).where(AuditEntry.seq > seq).order_by(AuditEntry.seq).limit(1)
    ).scalar_one_or_none()
    if successor_prev is not None and hashes_equal(successor_prev, stored_hash):
        message = f"entry {seq} fails its HMAC: its content was altered after it was written"
        return Problem(seq, ProblemKind.ALTERED, message)
    if successor_prev is not None and hashes_equal(successor_prev, expected_prev):
        message = f"entry {seq} fails its HMAC and the next entry links past it: it was inserted"
        return Problem(seq, ProblemKind.INSERTED, message)
    message = (
        f"entry {seq} fails its HMAC: it was altered, or written by someone without the audit key"
    )
    return Problem(seq, ProblemKind.FORGED, message)


def _original_seq(
    session: Session, key: bytes, fields: EntryFields, stored_prev: str, stored_hash: str
) -> int | None:
    candidates = set(range(max(1, fields.seq - MOVE_WINDOW), fields.seq + MOVE_WINDOW + 1))
    # Where its link points: the entry whose hash it chained to, wherever that one is now.
    linked = session.execute(
        select(AuditEntry.seq).where(AuditEntry.hash == stored_prev).limit(1)
    ).scalar_one_or_none()
    if linked is not None:
        candidates.add(linked + 1)
    candidates.discard(fields.seq)
    for candidate in sorted(candidates, key=lambda s: abs(s - fields.seq)):
        if is_authentic(key, replace(fields, seq=candidate), stored_prev, stored_hash):
            return candidate
    return None
