"""The database object: declarative base, engine and session factory; ``db.bulk`` holds the
bulk inserts.

Imports nothing from the features. SQLite runs in WAL mode with foreign keys on; PostgreSQL is
reached through psycopg 3 (``postgresql+psycopg://``).
"""

from __future__ import annotations

import datetime as dt
import enum
import select
import sqlite3
import time
from typing import Any, cast

from sqlalchemy import DateTime, MetaData, TypeDecorator, create_engine, event
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model, with stable constraint names for migrations."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime in any zone")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if not isinstance(value, dt.datetime):
            return None
        # SQLite hands back naive values; they were stored in UTC.
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def enum_type(enum_class: type[enum.Enum]) -> SAEnum:
    """A portable string column for an enum, storing the members' values (not their names)."""
    return SAEnum(
        enum_class,
        native_enum=False,
        length=max(20, *(len(str(m.value)) for m in enum_class)),
        values_callable=lambda cls: [str(m.value) for m in cls],
    )


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def normalise_url(url: str) -> str:
    """Use psycopg 3 for a plain ``postgresql://`` URL."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


SQLITE_BUSY_SECONDS = 30
_WRITER = "xinan_writer"  # execution option: begin this transaction holding the write lock
# A write that changes nothing still takes SQLite's write lock; every migrated database has it.
_TAKE_WRITE_LOCK = "UPDATE alembic_version SET version_num = version_num WHERE 1 = 0"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout, PostgreSQL a
    check at checkout for connections the server has closed."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_SECONDS})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, **kwargs)
    event.listen(engine, "checkout", _replace_if_closed_by_server)
    return engine


def _replace_if_closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Hand out no pooled PostgreSQL connection that the server has closed (a restart, a
    terminated backend, an idle timeout); the pool then connects afresh.

    The server says so on the socket: a message, then the end of the stream. A connection resting
    in the pool has nothing else to read, so a readable socket means it is gone (at worst a
    notice, and a sound connection is replaced). A poll is one system call where a ping
    (``pool_pre_ping``) is a round trip to the server on every checkout.
    """
    if dbapi_connection.closed:
        raise DisconnectionError("the connection is closed")
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    if poller.poll(0):
        raise DisconnectionError("the server closed the connection")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that
    # savepoints and transactional DDL work (SQLAlchemy's documented pysqlite recipe).
    dbapi_connection.isolation_level = None
    # While one connection turns a new file to WAL, another opened alongside it gets
    # SQLITE_BUSY_RECOVERY at once, without its busy handler being asked, so it waits its turn
    # here. Once the file is in WAL mode (it stays so) this changes nothing.
    _execute_when_free(dbapi_connection, "PRAGMA journal_mode=WAL")
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    if connection.get_execution_options().get(_WRITER):
        _begin_immediate(connection)
    else:
        connection.exec_driver_sql("BEGIN")


def _begin_immediate(connection: Connection) -> None:
    raw = cast(sqlite3.Connection, connection.connection.driver_connection)
    _execute_when_free(raw, "BEGIN IMMEDIATE")


def _execute_when_free(raw: sqlite3.Connection, sql: str) -> None:
    """Run ``sql``, retried every few tenths of a millisecond while another connection holds
    the lock it needs.

    SQLite's own busy handler sleeps 1, 2, 5, 10, 15… ms between tries: a request that misses
    the lock by a fraction of a millisecond would sit idle for several, while the writer ahead
    of it holds the lock only for about a millisecond.
    """
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        deadline, pause = time.monotonic() + SQLITE_BUSY_SECONDS, 0.0001
        while True:
            try:
                raw.execute(sql)
                return
            except sqlite3.OperationalError as busy:
                # An extended code (SQLITE_BUSY_RECOVERY, …) has the primary one in its low byte.
                busy_code = (busy.sqlite_errorcode or 0) & 0xFF
                if busy_code != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise OperationalError(sql, None, busy) from busy
            time.sleep(pause)
            pause = min(pause * 2, 0.002)
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_SECONDS * 1000)}")


def begin_for_write(session: Session) -> None:
    """Make the session's transaction the writer, before it writes: the one way a write path
    takes the lock.

    Call it before reading what the transaction will change, or after an unlocked read whose
    findings the writes re-check (a version column, a guard in the WHERE clause) or read again
    under the lock.

    SQLite has one write lock. A transaction not yet begun begins holding it (BEGIN IMMEDIATE).
    One already begun takes it in place, with a write that touches nothing: at once if it holds
    it already, in its turn if it has read nothing yet. A reader cannot become the writer while
    another writer holds the lock, nor once one has committed since its read (SQLITE_BUSY,
    SQLITE_BUSY_SNAPSHOT): its read is ended (it wrote nothing, or it would hold the lock) and a
    new transaction on the same connection takes the lock. The session keeps what it loaded and
    its unsaved changes, which are written under the lock.

    PostgreSQL needs nothing here: the caller locks the rows it will change (SELECT … FOR
    UPDATE), and an UPDATE re-checks the columns of its own table against a row changed
    meanwhile (READ COMMITTED).
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if not session.in_transaction():
        session.connection(execution_options={_WRITER: True})
        return
    connection = session.connection()
    raw = cast(sqlite3.Connection, connection.connection.driver_connection)
    try:
        raw.execute(_TAKE_WRITE_LOCK)
        return
    except sqlite3.OperationalError as refused:
        busy = (refused.sqlite_errorcode or 0) & 0xFF == sqlite3.SQLITE_BUSY
        # Ending the read would end the savepoint's enclosing transaction with it.
        if not busy or connection.in_nested_transaction():
            raise OperationalError(_TAKE_WRITE_LOCK, None, refused) from refused
    raw.execute("COMMIT")
    _execute_when_free(raw, "BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (the request has already used them)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


class Database:
    """One engine and a thread-local session registry for the web app, CLI and jobs."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = scoped_session(make_session_factory(self.engine))

    def session(self) -> Session:
        """The session of the current thread (one per request or job)."""
        return self.sessions()

    def dispose(self) -> None:
        """Close pooled connections (at shutdown, or after a fork)."""
        self.sessions.remove()
        self.engine.dispose()
