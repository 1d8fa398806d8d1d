"""The demo at its full size (``demo.census.DEMO_TEACHERS``), seeded once per backend and test
session and committed, for the tests that only read it.

Seeding 3,000 teachers, two released waves and the open one takes most of a minute; the tests of
what the seeded demo holds (levels, shares, cases, release rates, the open wave) read one copy of
it instead of each seeding its own. It is seeded through the same functions, with the same clock
and the test settings' routing, as those tests seeded it, and each test reads it in a session
that is rolled back, so no test sees another's writes. The xdist workers of one run share it:
the first to need it seeds it under a file lock and leaves a note of where it is for the others.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from alerts.routing import RoutingPolicy
from demo.census import DEMO_TEACHERS
from demo.released import seed_released_demo_waves
from demo.seed import seed_demo
from demo.wave import seed_demo_wave
from tests.support import keys
from tests.support.apps import CommittedApp, migrate

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)


@dataclass(frozen=True)
class SeededDemo:
    """Where the full demo is, and what its seeding functions returned."""

    instance: Path
    url: str
    teachers: int
    released: tuple[int, ...]  # the released waves' ids, as seed_released_demo_waves gave them
    opened: int  # the open wave's id
    submitted: int  # how many answered the open wave, as seed_demo_wave counted them
    waiting: uuid.UUID | None  # the open wave's invitation seed_demo_wave found unanswered


@pytest.fixture(scope="session")
def seeded_demo(
    backend: str,
    postgres_admin_url: str,
    make_database_url: Callable[[str], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> SeededDemo:
    """The full demo on a database of its own (one per backend and cluster), committed."""
    # The run's temporary folder: the workers' parent under xdist, this session's otherwise.
    run = tmp_path_factory.getbasetemp()
    run = run.parent if os.environ.get("PYTEST_XDIST_WORKER") else run
    place = backend if backend == "sqlite" else f"{backend} {postgres_admin_url}"
    note = run / f"full-demo-{hashlib.sha256(place.encode()).hexdigest()[:16]}.json"
    with (run / f"{note.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not note.exists():
            seeded = _seed(make_database_url(backend), tmp_path_factory)
            note.write_text(json.dumps(asdict(seeded), default=str))
        found = json.loads(note.read_text())
    waiting = found["waiting"]
    return SeededDemo(
        Path(found["instance"]), found["url"], found["teachers"], tuple(found["released"]),
        found["opened"], found["submitted"], uuid.UUID(waiting) if waiting else None,
    )  # fmt: skip


def _seed(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> SeededDemo:
    url = migrate(database_url)
    instance = tmp_path_factory.mktemp("full-demo") / "instance"
    with keys.restored_key_ring():
        committed = CommittedApp.create(instance, url)
        try:
            with committed.session() as session:
                passwords = committed.app.extensions["xinan.passwords"]
                seed_demo(session, passwords, "S" * 32, NOW, teachers=DEMO_TEACHERS)
                released = seed_released_demo_waves(session, NOW, routing=ROUTING)
                opened = seed_demo_wave(session, NOW, routing=ROUTING)
                seeded = SeededDemo(
                    instance, url, DEMO_TEACHERS, tuple(w.id for w in released),
                    opened.wave.id, opened.submitted,
                    opened.waiting.id if opened.waiting is not None else None,
                )  # fmt: skip
                session.commit()
        finally:
            committed.database.dispose()
    return seeded


@pytest.fixture
def demo_session(seeded_demo: SeededDemo) -> Iterator[Session]:
    """A session on the full demo (its key ring installed), rolled back after the test."""
    with keys.restored_key_ring():
        committed = CommittedApp.create(seeded_demo.instance, seeded_demo.url)
        session = committed.session()
        try:
            yield session
        finally:
            session.rollback()
            session.close()
            committed.database.dispose()
