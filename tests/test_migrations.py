"""Migrations are reversible on both databases and match the models exactly."""

from __future__ import annotations

from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import models  # noqa: F401
from db import Base, make_engine
from ops import migrations


def test_upgrade_downgrade_upgrade(backend: str, make_database_url: Callable[[str], str]) -> None:
    engine = make_engine(make_database_url(backend))
    try:
        migrations.upgrade(engine)
        assert {"districts", "schools", "teachers"} <= set(inspect(engine).get_table_names())
        migrations.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrations.upgrade(engine)
        assert "teachers" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_models_and_migrations_agree(backend: str, make_database_url: Callable[[str], str]) -> None:
    engine = make_engine(make_database_url(backend))
    try:
        migrations.upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
