"""The audit chain verifies when clean and names each kind of tampering, on both databases.

An attacker with raw database access is simulated by switching the append-only triggers off
inside the test's transaction (rolled back afterwards), exactly as such an attacker would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

import pytest
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db import make_engine
from privacy.audit import (
    AuditEntry,
    CheckpointError,
    ProblemKind,
    parse_checkpoint,
    record,
    sign_checkpoint,
    verify_chain,
)
from privacy.audit.verify import checkpoint_head
from privacy.keys import KeyRing
from privacy.vault import key_ring
from tests.support.keys import UseKeyRing

GUARDS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_entries_no_update",
        "DROP TRIGGER IF EXISTS audit_entries_no_delete",
    ],
    "postgresql": ["ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"],
}


@pytest.fixture(scope="module")
def engine(migrated_url: str) -> Iterator[Engine]:
    """One engine per backend for this module (no app needed: only the key ring matters)."""
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(engine: Engine, use_key_ring: UseKeyRing) -> Iterator[Session]:
    """A session in a transaction rolled back after the test, with a fresh audit key."""
    use_key_ring(KeyRing.generate())
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


def _chain(session: Session, n: int = 6) -> list[AuditEntry]:
    return [
        record(
            session,
            "system",
            "case.transition",
            object_type="case",
            object_id=i + 1,
            detail={"state": "contacted"},
        )
        for i in range(n)
    ]


def _tamper(session: Session, *statements: str, **params: object) -> None:
    for guard in GUARDS[session.get_bind().dialect.name]:
        session.execute(text(guard))
    for statement in statements:
        session.execute(text(statement), params)


def _forged(seq: int, prev_hash: str) -> dict[str, object]:
    return {
        "seq": seq,
        "time": dt.datetime.now(dt.UTC),
        "actor": "system",
        "action": "role.approve",
        "outcome": "ok",
        "detail": {},
        "prev_hash": prev_hash,
        # Without the audit key the best a forger can do is a plain hash.
        "hash": hashlib.sha256(b"forged").hexdigest(),
    }


def test_clean_chain_verifies(db_session: Session) -> None:
    entries = _chain(db_session)
    result = verify_chain(db_session, batch_size=4)
    assert result.ok and result.problem is None
    assert result.last_seq == entries[-1].seq and result.last_hash == entries[-1].hash
    assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + 6))
    assert entries[1].prev_hash == entries[0].hash


def test_update_and_delete_are_refused_by_the_database(db_session: Session) -> None:
    entry = _chain(db_session, 2)[0]
    for statement in ("UPDATE audit_entries SET actor = 'anonymous'", "DELETE FROM audit_entries"):
        with pytest.raises(DBAPIError, match="append-only"), db_session.begin_nested():
            db_session.execute(text(statement))
    refused = ["UPDATE audit_head SET seq = 0", "DELETE FROM audit_head"]
    if db_session.get_bind().dialect.name == "postgresql":
        refused += ["TRUNCATE audit_entries", "TRUNCATE audit_head"]
    for statement in refused:
        with pytest.raises(DBAPIError, match="append-only"), db_session.begin_nested():
            db_session.execute(text(statement))
    assert db_session.get(AuditEntry, entry.id) is not None
    assert verify_chain(db_session).ok


def test_updated_entry_is_named_altered(db_session: Session) -> None:
    target = _chain(db_session)[2]
    _tamper(db_session, "UPDATE audit_entries SET outcome = 'denied' WHERE seq = :s", s=target.seq)
    problem = verify_chain(db_session).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (target.seq, ProblemKind.ALTERED)
    assert f"entry {target.seq}" in problem.message


def test_deleted_middle_entry_is_named_missing(db_session: Session) -> None:
    target = _chain(db_session)[3]
    _tamper(db_session, "DELETE FROM audit_entries WHERE seq = :s", s=target.seq)
    problem = verify_chain(db_session).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (target.seq, ProblemKind.MISSING)
    assert "deleted" in problem.message


def test_forged_entry_inserted_in_the_middle_is_named_inserted(db_session: Session) -> None:
    entries = _chain(db_session)
    before = entries[2]
    # Make room at before.seq + 1 the way an attacker would: shift the later entries up by one.
    _tamper(
        db_session,
        "UPDATE audit_entries SET seq = seq + 1000000 WHERE seq > :s",
        "UPDATE audit_entries SET seq = seq - 999999 WHERE seq > 1000000",
        s=before.seq,
    )
    db_session.execute(insert(AuditEntry).values(_forged(before.seq + 1, before.hash)))
    problem = verify_chain(db_session).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (before.seq + 1, ProblemKind.INSERTED)


def test_forged_entry_appended_at_the_end_is_named_forged(db_session: Session) -> None:
    last = _chain(db_session)[-1]
    db_session.execute(insert(AuditEntry).values(_forged(last.seq + 1, last.hash)))
    problem = verify_chain(db_session).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (last.seq + 1, ProblemKind.FORGED)


def test_swapped_entries_are_named_reordered(db_session: Session) -> None:
    first, second = _chain(db_session)[1:3]
    _tamper(
        db_session,
        "UPDATE audit_entries SET seq = -1 WHERE seq = :a",
        "UPDATE audit_entries SET seq = :a WHERE seq = :b",
        "UPDATE audit_entries SET seq = :b WHERE seq = -1",
        a=first.seq,
        b=second.seq,
    )
    problem = verify_chain(db_session).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (first.seq, ProblemKind.REORDERED)
    assert f"written as entry {second.seq}" in problem.message


def test_cut_off_tail_is_found_only_against_a_checkpoint(db_session: Session) -> None:
    entries = _chain(db_session)
    result, checkpoint = checkpoint_head(db_session)
    assert result.ok and checkpoint is not None and checkpoint.seq == entries[-1].seq
    kept = entries[-3].seq
    _tamper(db_session, "DELETE FROM audit_entries WHERE seq > :s", s=kept)

    assert verify_chain(db_session).ok, "a shortened chain is still a valid chain"
    problem = verify_chain(db_session, checkpoint=checkpoint).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (kept + 1, ProblemKind.TRUNCATED)
    assert f"entries {kept + 1}–{entries[-1].seq} were cut off" in problem.message


def test_history_differing_from_a_checkpoint_is_named_rewritten(db_session: Session) -> None:
    entries = _chain(db_session, 3)
    remembered = sign_checkpoint(
        key_ring().secret("audit"), entries[1].seq, "ab" * 32, entries[1].time
    )
    problem = verify_chain(db_session, checkpoint=remembered).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (entries[1].seq, ProblemKind.REWRITTEN)
    assert verify_chain(db_session, checkpoint=checkpoint_head(db_session)[1]).ok


def test_an_edited_checkpoint_is_rejected(db_session: Session) -> None:
    _chain(db_session, 2)
    checkpoint = checkpoint_head(db_session)[1]
    assert checkpoint is not None
    key = key_ring().secret("audit")
    assert parse_checkpoint(key, checkpoint.to_json()) == checkpoint
    edited = checkpoint.to_json().replace(
        f'"seq": {checkpoint.seq}', f'"seq": {checkpoint.seq - 1}'
    )
    with pytest.raises(CheckpointError, match="altered"):
        parse_checkpoint(key, edited)
    with pytest.raises(CheckpointError, match="another audit key"):
        parse_checkpoint(b"k" * 32, checkpoint.to_json())
    with pytest.raises(CheckpointError, match=r"malformed|not a Xinan"):
        parse_checkpoint(key, "{}")


def test_checkpoint_is_refused_for_a_broken_chain(db_session: Session) -> None:
    target = _chain(db_session, 3)[1]
    _tamper(db_session, "UPDATE audit_entries SET actor = 'anonymous' WHERE seq = :s", s=target.seq)
    result, checkpoint = checkpoint_head(db_session)
    assert checkpoint is None and result.problem is not None and result.problem.seq == target.seq


def test_an_archived_prefix_verifies_from_its_signed_anchor(db_session: Session) -> None:
    entries = _chain(db_session)
    anchor = checkpoint_head(db_session, at_seq=entries[2].seq)[1]
    assert anchor is not None and anchor.hash == entries[2].hash
    _tamper(db_session, "DELETE FROM audit_entries WHERE seq <= :s", s=anchor.seq)
    assert verify_chain(db_session).problem.kind == ProblemKind.MISSING  # type: ignore[union-attr]
    assert verify_chain(db_session, start=anchor).ok
    _tamper(db_session, "DELETE FROM audit_entries WHERE seq = :s", s=anchor.seq + 1)
    problem = verify_chain(db_session, start=anchor).problem
    assert problem is not None and (problem.seq, problem.kind) == (anchor.seq + 1, "missing")
