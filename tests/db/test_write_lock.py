"""A writer's transaction on SQLite holds the write lock from its first statement, and a second
writer waits for it (briefly, by polling) instead of failing or reading a stale snapshot."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import db
from db import Database, begin_for_write


class _Base(DeclarativeBase):
    pass


class _Counter(_Base):
    __tablename__ = "counter"
    n: Mapped[int] = mapped_column(primary_key=True)


@pytest.fixture
def sqlite_file(tmp_path: Path) -> str:
    path = tmp_path / "lock.db"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        setup.execute("CREATE TABLE counter (n INTEGER)")
        setup.execute("INSERT INTO counter VALUES (0)")
    return str(path)


def _other_writer_refused(path: str) -> bool:
    other = sqlite3.connect(path, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    else:
        other.rollback()
        return False
    finally:
        other.close()


def test_a_writer_holds_the_lock_before_it_reads(sqlite_file: str) -> None:
    database = Database(f"sqlite:///{sqlite_file}")
    session = database.session()
    begin_for_write(session)
    assert _other_writer_refused(sqlite_file)
    session.rollback()
    assert not _other_writer_refused(sqlite_file)
    database.dispose()


def test_a_reader_does_not_hold_the_lock(sqlite_file: str) -> None:
    database = Database(f"sqlite:///{sqlite_file}")
    session = database.session()
    assert session.execute(text("SELECT n FROM counter")).scalar_one() == 0
    assert not _other_writer_refused(sqlite_file)
    begin_for_write(session)  # already reading: upgraded in place
    assert _other_writer_refused(sqlite_file)
    session.rollback()
    database.dispose()


def test_writing_after_reading_survives_a_write_made_since_the_read(sqlite_file: str) -> None:
    database = Database(f"sqlite:///{sqlite_file}")
    session = database.session()
    assert session.execute(text("SELECT n FROM counter")).scalar_one() == 0
    with sqlite3.connect(sqlite_file) as other:  # commits: the reader's snapshot is now old
        other.execute("UPDATE counter SET n = 5")
    # Upgrading the old snapshot in place fails (SQLITE_BUSY_SNAPSHOT); the read is ended instead.
    begin_for_write(session)
    assert _other_writer_refused(sqlite_file)
    session.execute(text("UPDATE counter SET n = n + 1"))
    session.commit()
    assert session.execute(text("SELECT n FROM counter")).scalar_one() == 6
    session.rollback()
    database.dispose()


def test_unsaved_changes_are_written_under_the_lock_not_before(sqlite_file: str) -> None:
    database = Database(f"sqlite:///{sqlite_file}")
    session = database.session()
    assert session.execute(text("SELECT n FROM counter")).scalar_one() == 0
    session.add(_Counter(n=1))
    with sqlite3.connect(sqlite_file) as other:  # the read must be ended to take the lock
        other.execute("UPDATE counter SET n = 5")
    begin_for_write(session)
    with sqlite3.connect(sqlite_file) as outside:
        assert outside.execute("SELECT n FROM counter ORDER BY n").fetchall() == [(5,)]
    session.commit()
    with sqlite3.connect(sqlite_file) as outside:
        assert outside.execute("SELECT n FROM counter ORDER BY n").fetchall() == [(1,), (5,)]
    database.dispose()


def test_two_writers_take_turns_and_lose_no_increment(sqlite_file: str) -> None:
    engines = [Database(f"sqlite:///{sqlite_file}") for _ in range(2)]

    def add(database: Database, times: int) -> None:
        for _ in range(times):
            session = database.session()
            begin_for_write(session)
            n = session.execute(text("SELECT n FROM counter")).scalar_one()
            session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
            session.commit()
        database.sessions.remove()

    threads = [threading.Thread(target=add, args=(d, 200)) for d in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check = Database(f"sqlite:///{sqlite_file}")
    assert check.session().execute(text("SELECT n FROM counter")).scalar_one() == 400
    for database in (*engines, check):
        database.dispose()


def test_a_lock_never_released_ends_in_a_database_error(
    sqlite_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "SQLITE_BUSY_SECONDS", 0.05)
    holder = sqlite3.connect(sqlite_file)
    holder.execute("BEGIN IMMEDIATE")
    database = Database(f"sqlite:///{sqlite_file}")
    session = database.session()
    with pytest.raises(OperationalError):
        begin_for_write(session)
    holder.rollback()
    holder.close()
    session.rollback()
    database.dispose()


def _open_together(path: Path, count: int) -> tuple[list[str], list[OperationalError]]:
    """Open ``count`` engines' first connections on ``path`` at the same moment."""
    engines = [db.make_engine(f"sqlite:///{path}") for _ in range(count)]
    start = threading.Barrier(count)
    modes: list[str] = []
    failures: list[OperationalError] = []

    def open_one(engine: Engine) -> None:
        start.wait()
        try:
            with engine.connect() as connection:
                modes.append(str(connection.exec_driver_sql("PRAGMA journal_mode").scalar()))
        except OperationalError as error:
            failures.append(error)

    threads = [threading.Thread(target=open_one, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    return modes, failures


def test_connections_opened_together_on_a_new_file_all_turn_wal_on(tmp_path: Path) -> None:
    # The first connection to a new file switches it to WAL; others opened at that moment must
    # wait their turn rather than fail with "database is locked". The race is narrow: try often.
    for attempt in range(60):
        path = tmp_path / f"fresh-{attempt}.db"
        sqlite3.connect(path).close()
        modes, failures = _open_together(path, 4)
        assert failures == []
        assert modes == ["wal"] * 4
