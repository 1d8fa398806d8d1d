"""PostgreSQL connections resting in the pool: one the server has ended is replaced at checkout,
a sound one is kept (a restart or a terminated backend costs no teacher an error page)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from db import make_engine

BACKEND_PID = text("SELECT pg_backend_pid()")


@pytest.fixture
def engine(make_database_url: Callable[[str], str]) -> Iterator[Engine]:
    engine = make_engine(make_database_url("postgresql"), pool_size=1)
    yield engine
    engine.dispose()


def _pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(BACKEND_PID).scalar_one())


def _terminate(postgres_admin_url: str, pid: int) -> None:
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            gone = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
            deadline = time.monotonic() + 10
            while connection.execute(gone, {"pid": pid}).scalar_one():
                assert time.monotonic() < deadline, "the backend did not end"
                time.sleep(0.05)
    finally:
        admin.dispose()


def test_a_sound_connection_is_kept(engine: Engine) -> None:
    assert _pid(engine) == _pid(engine) == _pid(engine)


def test_a_connection_the_server_ended_is_replaced_at_checkout(
    engine: Engine, postgres_admin_url: str
) -> None:
    first = _pid(engine)
    _terminate(postgres_admin_url, first)
    second = _pid(engine)  # would raise OperationalError on the dead connection
    assert second != first
    assert _pid(engine) == second
