"""Fixtures chained as settings → app → db_session → client, on SQLite and on PostgreSQL.

Every database test runs twice, once per backend. PostgreSQL is a throwaway cluster: the one
``make test`` started (``XINAN_TEST_POSTGRES_URL``), or one this session starts for itself.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app import create_app
from config.settings import Settings
from db import Database, make_engine
from devservices.postgres import ENV_VAR, ThrowawayPostgres
from ops import migrations

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """Admin URL of a PostgreSQL cluster for this test session."""
    url = os.environ.get(ENV_VAR)
    if url:
        yield url
        return
    cluster = ThrowawayPostgres()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def make_database_url(
    postgres_admin_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], str]:
    """A factory of empty databases: ``make_database_url("sqlite" | "postgresql")``."""

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'xinan.db'}"
        name = f"xinan_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return postgres_admin_url.rsplit("/", 1)[0] + "/" + name

    return make


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend this test runs on."""
    return str(request.param)


def migrate(url: str) -> str:
    """Migrate the empty database at ``url`` to head; returns the URL."""
    engine = make_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def migrated_url(backend: str, make_database_url: Callable[[str], str]) -> str:
    """A database of this backend, migrated to head once per session."""
    return migrate(make_database_url(backend))


@pytest.fixture(scope="module")
def module_url(backend: str, make_database_url: Callable[[str], str]) -> str:
    """A migrated database for one test module, for tests that commit as production does."""
    return migrate(make_database_url(backend))


def build_settings(instance: Path, database_url: str, **overrides: object) -> Settings:
    """Test settings: an instance folder of its own, no scheduler, no demo."""
    values: dict[str, object] = {
        "instance_path": instance,
        "database_url": database_url,
        "testing": True,
        "demo": False,
        # Production settings as Settings.check_serving asks: no proxy, links over HTTPS.
        "proxy_count": 0,
        "base_url": "https://xinan.test",
        "scheduler": "off",
        "log_file": instance / "xinan.log",
        # Only test settings may lower the argon2 cost (Settings refuses it otherwise).
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(migrated_url: str, tmp_path: Path) -> Settings:
    """Settings for one test against the session's migrated database."""
    return build_settings(tmp_path / "instance", migrated_url)


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """A fresh app; its database work is rolled back after the test by ``db_session``."""
    application = create_app(settings)
    yield application
    application.extensions["xinan.db"].dispose()


@pytest.fixture
def database(app: Flask) -> Database:
    """The app's database object."""
    return app.extensions["xinan.db"]  # type: ignore[no-any-return]


@pytest.fixture
def db_session(database: Database) -> Iterator[Session]:
    """The app's session inside a transaction that is rolled back after the test."""
    connection = database.engine.connect()
    transaction = connection.begin()
    database.sessions.configure(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield database.session()
    finally:
        database.sessions.remove()
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(app: Flask, db_session: Session) -> FlaskClient:
    """A test client whose requests share the rolled-back transaction."""
    return app.test_client()
