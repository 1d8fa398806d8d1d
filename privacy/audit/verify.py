"""Verifying the chain: streamed in batches, stopping at the first bad entry and naming the fault.

Every entry is checked in seq order for four things: its seq follows the last one (a gap means
entries were deleted), its HMAC holds (else it was altered, inserted, forged or moved — see
``diagnose``), it links to the hash of the entry before, and, at a checkpoint's seq, its hash is
the one the checkpoint remembers. After the last entry, a checkpoint further on means the tail was
cut off. Batches are read by keyset (``seq > last``), so memory stays flat for millions of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import utcnow
from privacy.audit.chain import hashes_equal
from privacy.audit.checkpoint import Checkpoint, sign_checkpoint
from privacy.audit.diagnose import (
    COLUMNS,
    Problem,
    ProblemKind,
    as_fields,
    diagnose,
    is_authentic,
)
from privacy.audit.models import GENESIS_HASH
from privacy.vault import key_ring

DEFAULT_BATCH = 2000


@dataclass(frozen=True)
class VerifyResult:
    """What verify found: how far it checked, and the first problem (None when clean)."""

    checked: int
    last_seq: int
    last_hash: str
    problem: Problem | None
    checkpoint: Checkpoint | None = None

    @property
    def ok(self) -> bool:
        """True when the chain (and the checkpoint, if any) holds."""
        return self.problem is None


def verify_chain(
    session: Session,
    *,
    checkpoint: Checkpoint | None = None,
    start: Checkpoint | None = None,
    batch_size: int = DEFAULT_BATCH,
    key: bytes | None = None,
) -> VerifyResult:
    """Recompute the chain from the start (or from an archive ``start`` anchor).

    ``checkpoint`` is a signed head from earlier; ``start`` is the signed checkpoint of the last
    entry moved to an archive, from which the remaining chain continues.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    secret = key if key is not None else key_ring().secret("audit")
    seq, prev = (start.seq, start.hash) if start else (0, GENESIS_HASH)
    checked = 0
    if checkpoint is not None and checkpoint.seq == seq and not hashes_equal(checkpoint.hash, prev):
        return VerifyResult(0, seq, prev, _rewritten(checkpoint), checkpoint)
    while True:
        rows = session.execute(
            select(*COLUMNS).where(COLUMNS[0] > seq).order_by(COLUMNS[0]).limit(batch_size)
        ).all()
        for row in rows:
            problem = _check(session, secret, row, seq + 1, prev, checkpoint)
            if problem is not None:
                return VerifyResult(checked, seq, prev, problem, checkpoint)
            seq, prev, checked = row.seq, row.hash, checked + 1
        if len(rows) < batch_size:
            break
    return VerifyResult(checked, seq, prev, _tail(seq, checkpoint), checkpoint)


def _check(
    session: Session,
    key: bytes,
    row: object,
    expected_seq: int,
    prev: str,
    checkpoint: Checkpoint | None,
) -> Problem | None:
    fields, stored_prev, stored_hash = as_fields(row)
    if fields.seq != expected_seq:
        last = fields.seq - 1
        span = f"entry {expected_seq}" if last == expected_seq else f"entries {expected_seq}–{last}"
        return Problem(expected_seq, ProblemKind.MISSING, f"{span} missing: deleted from the log")
    if not is_authentic(key, fields, stored_prev, stored_hash):
        return diagnose(session, key, fields, stored_prev, stored_hash, prev)
    if not hashes_equal(stored_prev, prev):
        message = (
            f"entry {fields.seq} does not link to entry {fields.seq - 1}: history was rewritten"
        )
        return Problem(fields.seq, ProblemKind.UNLINKED, message)
    if (
        checkpoint is not None
        and fields.seq == checkpoint.seq
        and not hashes_equal(stored_hash, checkpoint.hash)
    ):
        return _rewritten(checkpoint)
    return None


def _rewritten(checkpoint: Checkpoint) -> Problem:
    return Problem(
        checkpoint.seq,
        ProblemKind.REWRITTEN,
        f"entry {checkpoint.seq} differs from the checkpoint of {checkpoint.time:%Y-%m-%d %H:%M} "
        "UTC: the log up to it was rewritten or replaced",
    )


def _tail(last_seq: int, checkpoint: Checkpoint | None) -> Problem | None:
    if checkpoint is None or checkpoint.seq <= last_seq:
        return None
    return Problem(
        last_seq + 1,
        ProblemKind.TRUNCATED,
        f"the log ends at entry {last_seq} but the checkpoint of "
        f"{checkpoint.time:%Y-%m-%d %H:%M} UTC vouches for entry {checkpoint.seq}: "
        f"entries {last_seq + 1}–{checkpoint.seq} were cut off",
    )


def checkpoint_head(
    session: Session,
    *,
    at_seq: int | None = None,
    start: Checkpoint | None = None,
    batch_size: int = DEFAULT_BATCH,
) -> tuple[VerifyResult, Checkpoint | None]:
    """Verify the chain, then sign a checkpoint of its head (or of entry ``at_seq``).

    Nothing is signed when the chain is broken: a checkpoint must never vouch for tampering.
    """
    result = verify_chain(session, start=start, batch_size=batch_size)
    if not result.ok:
        return result, None
    seq, head_hash = result.last_seq, result.last_hash
    if at_seq is not None and at_seq != seq:
        if not (start.seq if start else 0) < at_seq <= seq:
            raise ValueError(f"entry {at_seq} is not in the verified chain (it ends at {seq})")
        found = session.execute(select(COLUMNS[-1]).where(COLUMNS[0] == at_seq)).scalar_one()
        seq, head_hash = at_seq, found
    key = key_ring().secret("audit")
    return result, sign_checkpoint(key, seq, head_hash, utcnow())
