"""Signed checkpoints: (seq, hash, time) of the chain's head, kept somewhere the database is not.

A hash chain proves each entry follows the one before, but a chain whose newest entries were cut
off is still a valid chain. A checkpoint written regularly to another machine, a ticket or paper
remembers how far the chain reached; ``verify_chain`` then reports a tail that has gone or history
rewritten before it. The signature (HMAC with the audit key, domain-separated from entry hashes)
stops a checkpoint file from being edited to match a shortened log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

from privacy.audit.chain import format_time, key_id

CHECKPOINT_DOMAIN = b"xinan-audit-checkpoint-v1\x00"
FORMAT = "xinan-audit-checkpoint"
VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint file is unreadable, malformed, or its signature does not hold."""


@dataclass(frozen=True)
class Checkpoint:
    """The head of the chain at one moment: its seq and hash, when, and under which key."""

    seq: int
    hash: str
    time: dt.datetime
    key_id: str
    signature: str

    def to_json(self) -> str:
        """The checkpoint as one line of JSON, ready for a file or a ticket."""
        return json.dumps(
            {
                "format": FORMAT,
                "version": VERSION,
                "seq": self.seq,
                "hash": self.hash,
                "time": format_time(self.time),
                "key_id": self.key_id,
                "signature": self.signature,
            },
            sort_keys=True,
        )


def sign_checkpoint(key: bytes, seq: int, head_hash: str, time: dt.datetime) -> Checkpoint:
    """A checkpoint of (seq, hash) at ``time``, signed with the audit key."""
    return Checkpoint(
        seq=seq,
        hash=head_hash,
        time=time,
        key_id=key_id(key),
        signature=_signature(key, seq, head_hash, format_time(time)),
    )


def parse_checkpoint(key: bytes, text: str) -> Checkpoint:
    """Read a checkpoint and check its signature; a CheckpointError says what is wrong."""
    try:
        raw = json.loads(text)
        if raw.get("format") != FORMAT or raw.get("version") != VERSION:
            raise CheckpointError("not a Xinan audit checkpoint (format or version)")
        seq, head_hash, stamp = int(raw["seq"]), str(raw["hash"]), str(raw["time"])
        time = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
        fingerprint, signature = str(raw["key_id"]), str(raw["signature"])
    except CheckpointError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CheckpointError(f"checkpoint is malformed ({exc.__class__.__name__})") from None
    if not hmac.compare_digest(fingerprint, key_id(key)):
        raise CheckpointError("checkpoint was signed with another audit key (key_id differs)")
    expected = _signature(key, seq, head_hash, stamp)
    if not hmac.compare_digest(expected.encode(), signature.encode("ascii", "replace")):
        raise CheckpointError("checkpoint signature does not match: the file was altered")
    return Checkpoint(seq, head_hash, time, fingerprint, signature)


def _signature(key: bytes, seq: int, head_hash: str, stamp: str) -> str:
    message = json.dumps([seq, head_hash, stamp], separators=(",", ":")).encode("ascii")
    return hmac.new(key, CHECKPOINT_DOMAIN + message, hashlib.sha256).hexdigest()
