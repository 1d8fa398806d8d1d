"""Alembic environment: Xinan's metadata, and the connection or URL the caller provides."""

from __future__ import annotations

from alembic import context

import models  # noqa: F401  (registers every table on Base.metadata)
from config.settings import Settings
from db import Base, UTCDateTime, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Use the connection passed in by ``flask db upgrade``, or open one from the settings."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(Settings.from_env().effective_database_url)
    with engine.connect() as connection:
        _run(connection)
        connection.commit()


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Our UTCDateTime is a plain timezone-aware DateTime in the schema.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: object) -> None:
    context.configure(
        render_item=_render_item,
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode recreates tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
