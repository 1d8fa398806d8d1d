"""Taking the write lock inside a transaction already begun: ``db.begin_for_write`` keeps what
the transaction wrote, waits behind another writer, and never ends a savepoint's transaction."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from db import Database, begin_for_write


@pytest.fixture
def sqlite_file(tmp_path: Path) -> str:
    path = tmp_path / "turns.db"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        setup.execute("CREATE TABLE counter (n INTEGER)")
        setup.execute("INSERT INTO counter VALUES (0)")
    return str(path)


def _outside(path: str) -> int:
    with sqlite3.connect(path) as outside:
        return int(outside.execute("SELECT n FROM counter").fetchone()[0])


def test_a_transaction_that_wrote_keeps_its_writes_uncommitted(sqlite_file: str) -> None:
    database = Database(f"sqlite:///{sqlite_file}")
    session = database.session()
    session.execute(text("UPDATE counter SET n = 3"))
    begin_for_write(session)  # holds the lock already: nothing is ended, nothing committed
    assert _outside(sqlite_file) == 0
    session.commit()
    assert _outside(sqlite_file) == 3
    database.dispose()


def test_a_reader_waits_for_the_writer_ahead_of_it(sqlite_file: str) -> None:
    database = Database(f"sqlite:///{sqlite_file}")
    session = database.session()
    assert session.execute(text("SELECT n FROM counter")).scalar_one() == 0
    holder = sqlite3.connect(sqlite_file, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE counter SET n = 5")

    def finish() -> None:
        time.sleep(0.2)
        holder.execute("COMMIT")

    writer = threading.Thread(target=finish)
    writer.start()
    begin_for_write(session)  # refused in place at once; then waits its turn, from a new read
    writer.join()
    holder.close()
    session.execute(text("UPDATE counter SET n = n + 1"))
    session.commit()
    assert _outside(sqlite_file) == 6
    database.dispose()


def test_a_stale_reader_in_a_savepoint_is_refused_and_its_transaction_kept(
    sqlite_file: str,
) -> None:
    database = Database(f"sqlite:///{sqlite_file}")
    connection = database.engine.connect()
    outer = connection.begin()
    database.sessions.configure(bind=connection, join_transaction_mode="create_savepoint")
    session = database.session()
    assert session.execute(text("SELECT n FROM counter")).scalar_one() == 0
    with sqlite3.connect(sqlite_file) as other:
        other.execute("UPDATE counter SET n = 5")
    with pytest.raises(OperationalError):
        begin_for_write(session)
    assert connection.in_transaction() and connection.in_nested_transaction()
    database.sessions.remove()
    outer.rollback()
    connection.close()
    database.dispose()
