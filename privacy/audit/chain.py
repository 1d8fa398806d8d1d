"""The HMAC chain: a canonical encoding of an entry and the keyed hash that links it to the last.

Each entry's hash is HMAC-SHA256, under the ``audit`` key from the key ring (kept outside the
database), over a canonical JSON encoding of its fields, its sequence number and the previous
entry's hash. Someone with write access to the database but not the key cannot alter, insert,
remove or reorder an entry without breaking the chain at that point. The encoding is versioned
and domain-separated so that a checkpoint signature can never pass for an entry hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ENTRY_DOMAIN = b"xinan-audit-entry-v1\x00"
KEY_ID_DOMAIN = b"xinan-audit-key-id-v1"


@dataclass(frozen=True)
class EntryFields:
    """Everything an entry's hash covers, as stored."""

    seq: int
    time: dt.datetime
    actor: str
    action: str
    object_type: str | None
    object_id: str | None
    outcome: str
    detail: Mapping[str, Any] = field(default_factory=dict)


def format_time(value: dt.datetime) -> str:
    """UTC with microseconds: the form both databases give back exactly."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: EntryFields, prev_hash: str) -> bytes:
    """The bytes an entry's hash is computed over (sorted keys, no spaces, ASCII only)."""
    document = {
        "seq": fields.seq,
        "time": format_time(fields.time),
        "actor": fields.actor,
        "action": fields.action,
        "object_type": fields.object_type,
        "object_id": fields.object_id,
        "outcome": fields.outcome,
        "detail": dict(fields.detail),
        "prev_hash": prev_hash,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return ENTRY_DOMAIN + text.encode("ascii")


def entry_hash(key: bytes, fields: EntryFields, prev_hash: str) -> str:
    """The hex HMAC-SHA256 of an entry chained to ``prev_hash``."""
    return hmac.new(key, canonical(fields, prev_hash), hashlib.sha256).hexdigest()


def hashes_equal(a: str, b: str) -> bool:
    """Constant-time comparison of two hex hashes."""
    return hmac.compare_digest(a.encode("ascii", "replace"), b.encode("ascii", "replace"))


def key_id(key: bytes) -> str:
    """A short public fingerprint of the audit key, to tell 'wrong key' from 'tampered'."""
    return hmac.new(key, KEY_ID_DOMAIN, hashlib.sha256).hexdigest()[:16]
