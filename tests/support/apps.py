"""Test settings, migrated databases, and the app on committed data, as production runs it.

Jobs, the audit trail's independent entries and the web tests' logins open sessions and commit
on their own, so they cannot share a test's rolled-back transaction: ``CommittedApp`` is the app
on a database of the test module's own, and its ``session()`` commits for real.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import delete
from sqlalchemy.orm import Session

import models  # noqa: F401  (every table known to the metadata)
from app import create_app
from config.settings import Settings
from db import Base, Database, make_engine
from ops import migrations

# Kept when a committed app is emptied: the audit chain is append-only, the schema's version.
KEEP = {"audit_entries", "audit_head", "alembic_version"}


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


def migrate(url: str) -> str:
    """Migrate the empty database at ``url`` to head; returns the URL."""
    engine = make_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    return url


@dataclass
class CommittedApp:
    """The app, its database and settings; ``session()`` is a fresh session to commit with."""

    app: Flask
    database: Database
    settings: Settings

    @classmethod
    def create(cls, instance: Path, database_url: str) -> CommittedApp:
        """The app with ``instance`` as its instance folder (and key ring) on ``database_url``."""
        app = create_app(build_settings(instance, database_url))
        return cls(app, app.extensions["xinan.db"], app.extensions["xinan.settings"])

    def session(self) -> Session:
        """A new session on the engine (close it, or use it in ``with``)."""
        return Session(self.database.engine, expire_on_commit=False)

    def empty(self) -> None:
        """Delete every feature row (the audit chain stays: it is append-only)."""
        with Session(self.database.engine) as session, session.begin():
            for table in reversed(Base.metadata.sorted_tables):
                if table.name not in KEEP:
                    session.execute(delete(table))


@contextmanager
def app_session(app: Flask) -> Iterator[Session]:
    """The app's request session inside an app context, as a separate process would have it."""
    database: Database = app.extensions["xinan.db"]
    with app.app_context():
        try:
            yield database.session()
        finally:
            database.sessions.remove()
