"""Appends: independent entries outlive a rollback, concurrent writers keep one gap-free chain,
and the auditor's read model filters and pages."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import Database
from ops import migrations
from privacy.audit import (
    AuditEntry,
    EntryFilter,
    list_entries,
    record,
    record_independently,
    verify_chain,
)
from privacy.keys import KeyRing
from tests.support.keys import UseKeyRing

THREADS = 4
PER_THREAD = 8


@pytest.fixture
def database(
    backend: str, make_database_url: Callable[[str], str], use_key_ring: UseKeyRing
) -> Iterator[Database]:
    """A database of its own: these tests commit."""
    use_key_ring(KeyRing.generate())
    database = Database(make_database_url(backend))
    migrations.upgrade(database.engine)
    yield database
    database.dispose()


def _seqs(database: Database) -> list[int]:
    with Session(database.engine) as session:
        return list(session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))


def test_independent_entry_survives_the_callers_rollback(database: Database) -> None:
    account = uuid.uuid4()
    with Session(database.engine) as request:
        # A denied request: the refusal is recorded on its own, then the request rolls back.
        record_independently(
            database, account, "authz.deny", outcome="denied", object_type="case", object_id=7
        )
        record(request, account, "identity.reveal", object_type="teacher", object_id=uuid.uuid4())
        request.rollback()
    with Session(database.engine) as session:
        actions = session.scalars(select(AuditEntry.action)).all()
        assert actions == ["authz.deny"]
        assert verify_chain(session).ok
    record_independently(database, "anonymous", "auth.login.failed", outcome="failed")
    assert _seqs(database) == [1, 2], "a rolled-back append leaves no gap"


def test_concurrent_appends_make_one_gap_free_chain(database: Database) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def append(worker: int) -> None:
        try:
            start.wait()
            for n in range(PER_THREAD):
                record_independently(database, worker, "answers.view", detail={"n": n})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert _seqs(database) == list(range(1, THREADS * PER_THREAD + 1))
    with Session(database.engine) as session:
        result = verify_chain(session, batch_size=5)
        assert result.ok and result.checked == THREADS * PER_THREAD
        times = list(session.scalars(select(AuditEntry.time).order_by(AuditEntry.seq)))
        assert times == sorted(times), "time is taken under the lock, in seq order"


def test_list_entries_filters_and_pages(database: Database) -> None:
    alice, bob = uuid.uuid4(), uuid.uuid4()
    with Session(database.engine) as session, session.begin():
        for n in range(5):
            record(session, alice, "answers.view", object_type="teacher", object_id=n)
        record(session, bob, "authz.deny", outcome="denied", object_type="case", object_id=3)
        record(session, "system", "keys.rotate")
    with Session(database.engine) as session:
        first = list_entries(session, EntryFilter(actor=str(alice)), per_page=2)
        assert [e.object_id for e in first.entries] == ["4", "3"] and first.has_next
        last = list_entries(session, EntryFilter(actor=str(alice)), page=3, per_page=2)
        assert [e.object_id for e in last.entries] == ["0"] and not last.has_next
        denied = list_entries(session, EntryFilter(outcome="denied", object_id="3"))
        assert [e.actor for e in denied.entries] == [str(bob)]
        assert list_entries(session, EntryFilter(action="keys.rotate")).entries[0].seq == 7
        now = dt.datetime.now(dt.UTC)
        window = EntryFilter(since=now - dt.timedelta(minutes=5), until=now)
        assert len(list_entries(session, window).entries) == 7
        assert list_entries(session, EntryFilter(until=now - dt.timedelta(minutes=5))).entries == []
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 7
        with pytest.raises(ValueError):
            list_entries(session, per_page=10_000)
