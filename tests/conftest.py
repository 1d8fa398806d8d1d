"""Fixtures chained as settings → app → db_session → client, on SQLite and on PostgreSQL, and the
committed app (``committed_app`` → ``env``, ``web_app`` → ``make_staff`` → ``login_as``).

Every database test runs twice, once per backend. PostgreSQL is a throwaway cluster: the one
``make test`` started (``XINAN_TEST_POSTGRES_URL``), or one this session starts for itself.
The code behind the fixtures is in ``tests/support``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from accounts.roles import Role
from app import create_app
from config.settings import Settings
from db import Database
from devservices.postgres import ENV_VAR, ThrowawayPostgres
from tests.support import keys
from tests.support.apps import CommittedApp, build_settings, migrate
from tests.support.gateways import Gateway, Mailbox, running_sms_gateway, running_smtp_server
from tests.support.staff import Staff, create_staff, login

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


@pytest.fixture(scope="session")
def migrated_url(backend: str, make_database_url: Callable[[str], str]) -> str:
    """A database of this backend, migrated to head once per session."""
    return migrate(make_database_url(backend))


@pytest.fixture(scope="module")
def module_url(backend: str, make_database_url: Callable[[str], str]) -> str:
    """A migrated database for one test module, for tests that commit as production does."""
    return migrate(make_database_url(backend))


@pytest.fixture
def use_key_ring() -> Iterator[keys.UseKeyRing]:
    """``use_key_ring(ring)`` makes ``ring`` the process's key ring for the rest of the test;
    the ring installed before the test is installed again after it."""
    with keys.restored_key_ring():
        yield keys.install


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


@pytest.fixture(scope="module")
def module_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One instance folder (and so one key ring) per module, matching its database."""
    return tmp_path_factory.mktemp("committed") / "instance"


@pytest.fixture
def committed_app(module_url: str, module_instance: Path) -> Iterator[CommittedApp]:
    """The app on the module's own database, for tests that commit as production does: jobs,
    logins, independent audit entries. Rows stay from one test of the module to the next."""
    committed = CommittedApp.create(module_instance, module_url)
    try:
        yield committed
    finally:
        committed.database.dispose()


@pytest.fixture
def env(committed_app: CommittedApp) -> CommittedApp:
    """The committed app, emptied of feature rows before the test (the audit chain stays)."""
    committed_app.empty()
    return committed_app


@pytest.fixture
def web_app(committed_app: CommittedApp) -> Flask:
    """The committed app's Flask app, for the web tests' clients."""
    return committed_app.app


@pytest.fixture
def make_staff(web_app: Flask) -> Callable[..., Staff]:
    """``make_staff(Role.X, district=..., school=..., linked=..., pending=...)`` → an enrolled
    account with a grant of each role, committed."""
    return partial(create_staff, web_app)


@pytest.fixture
def login_as(
    web_app: Flask, make_staff: Callable[..., Staff]
) -> Callable[..., tuple[FlaskClient, Staff]]:
    """``login_as(Role.X, ...)`` → a client logged in as a fresh account with that role."""

    def log_in(*roles: Role, **place: str) -> tuple[FlaskClient, Staff]:
        staff = make_staff(*roles, **place)
        client = web_app.test_client()
        assert login(client, staff) == 302
        return client, staff

    return log_in


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1 for this test: what it received."""
    with running_smtp_server() as mailbox:
        yield mailbox


@pytest.fixture
def sms_gateway() -> Iterator[Gateway]:
    """A fake SMS gateway on 127.0.0.1 for this test: what it received, how it answers next."""
    with running_sms_gateway() as gateway:
        yield gateway
