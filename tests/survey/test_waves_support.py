"""Fixtures for the wave, invitation and outbox tests: committed data, as the jobs see it.

The jobs open sessions of their own (one transaction per job), so they cannot share a test's
rolled-back transaction. Each module gets one migrated database per backend; every test starts
from empty feature tables (the audit chain is append-only and stays).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete
from sqlalchemy.orm import Session

import models  # noqa: F401  (every table known to the metadata)
from app import create_app
from census.models import Wave, WaveState, WaveUnit
from config.settings import Settings
from db import Base, Database
from org.models import Teacher
from tests.conftest import build_settings
from tests.factories import make_school, make_teacher

KEEP = {"audit_entries", "audit_head", "alembic_version"}
# A Monday morning in Guangzhou: 2026-12-07 09:00 +08:00.
T0 = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def jobs_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One instance folder (one key ring) per module, matching its database."""
    return tmp_path_factory.mktemp("jobs") / "instance"


@dataclass
class Env:
    """The app, its database and settings; ``session()`` is a fresh session to commit with."""

    app: Flask
    database: Database
    settings: Settings

    def session(self) -> Session:
        """A new session on the engine (close it, or use it in ``with``)."""
        return Session(self.database.engine, expire_on_commit=False)


@pytest.fixture
def env(module_url: str, jobs_instance: Path) -> Iterator[Env]:
    """The app on the module's database, emptied of feature rows before each test."""
    app = create_app(build_settings(jobs_instance, module_url))
    database: Database = app.extensions["xinan.db"]
    with Session(database.engine) as session, session.begin():
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEEP:
                session.execute(delete(table))
    try:
        yield Env(app, database, app.extensions["xinan.settings"])
    finally:
        database.dispose()


def seed_schools(session: Session, per_school: int = 3) -> dict[str, list[Teacher]]:
    """Two districts, three schools, ``per_school`` teachers each; returns teachers by school."""
    found: dict[str, list[Teacher]] = {}
    for district, school in (("东区", "东一小"), ("东区", "东二中"), ("西区", "西一小")):
        place = make_school(session, name=school, district=district)
        found[school] = [make_teacher(session, place) for _ in range(per_school)]
    return found


def make_wave(
    session: Session,
    state: WaveState = WaveState.SCHEDULED,
    opens_at: dt.datetime = T0,
    days: int = 14,
    units: list[WaveUnit] | None = None,
    battery: list[str] | None = None,
) -> Wave:
    """A wave over the whole city (or ``units``) opening at ``opens_at`` for ``days`` days."""
    wave = Wave(
        name="2026 冬季普查",
        battery=battery or ["phq9", "gad7", "who5", "k10", "pss10", "cbi"],
        opens_at=opens_at,
        closes_at=opens_at + dt.timedelta(days=days),
        state=state,
        units=units or [WaveUnit()],
    )
    session.add(wave)
    session.flush()
    return wave
