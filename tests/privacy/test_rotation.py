"""Key rotation re-seals every cell, and a rotation killed halfway is finished by a rerun."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from config.settings import PROJECT_ROOT
from db import Base, make_engine, make_session_factory
from ops import migrations
from org.models import Teacher
from privacy.keys import KeyRing, load_key_ring, save_key_ring
from privacy.rotation import key_usage, reseal_all, sealed_tables
from tests.support.factories.org import make_school, make_teacher
from tests.support.keys import UseKeyRing

ROWS = 400


def _command(instance: Path, url: str, *args: str) -> dict[str, object]:
    env = {**os.environ, "XINAN_INSTANCE_PATH": str(instance), "XINAN_DATABASE_URL": url}
    argv = [sys.executable, "-m", "flask", "--app", "app", *args]
    return {"args": argv, "cwd": PROJECT_ROOT, "env": env}


def _flask(instance: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        **_command(instance, url, *args), capture_output=True, text=True, timeout=120
    )  # type: ignore[call-overload]
    assert done.returncode == 0, done.stderr
    return done  # type: ignore[no-any-return]


@pytest.fixture
def seeded(
    backend: str,
    make_database_url: Callable[[str], str],
    tmp_path: Path,
    use_key_ring: UseKeyRing,
) -> tuple[str, Path]:
    """A database of ``ROWS`` teachers and its instance folder, as an operator would make it."""
    url = make_database_url(backend)
    migrations.upgrade(engine := make_engine(url))
    engine.dispose()
    instance = tmp_path / "instance"
    _seed(instance, url, use_key_ring)
    return url, instance


def _seed(instance: Path, url: str, use_key_ring: UseKeyRing) -> None:
    # Create the instance (and its key ring) the way an operator would, then add teachers.
    _flask(instance, url, "db", "upgrade")
    use_key_ring(load_key_ring(instance / "keys.json"))
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        school = make_school(session)
        for n in range(ROWS):
            make_teacher(session, school, name=f"轮换{n}")
        session.commit()
    engine.dispose()


def _all_open(url: str, instance: Path, use_key_ring: UseKeyRing) -> tuple[int, set[int]]:
    ring = use_key_ring(load_key_ring(instance / "keys.json"))
    engine = make_engine(url)
    with Session(engine) as session:
        names = {t.name for t in session.query(Teacher)}
    usage = key_usage(engine, sealed_tables(Base))
    engine.dispose()
    assert names == {f"轮换{n}" for n in range(ROWS)}
    return ring.active_id, set(usage)


def test_rotation_stopped_after_some_batches_is_finished_by_reseal(
    seeded: tuple[str, Path], use_key_ring: UseKeyRing
) -> None:
    url, instance = seeded

    # Stopped at a known point, not raced: three batches of five rows, then the process ends.
    stopped = _flask(instance, url, "keys", "rotate", "--batch-size", "5", "--max-batches", "3")
    assert "still under older keys" in stopped.stdout
    cells = sum(_cells_per_key(url, instance, use_key_ring).values()) // ROWS
    assert _cells_per_key(url, instance, use_key_ring) == {1: (ROWS - 15) * cells, 2: 15 * cells}

    finished = _flask(instance, url, "keys", "reseal")
    assert "every cell is under key 2" in finished.stdout
    assert _all_open(url, instance, use_key_ring) == (2, {2})


class _FailingRing:
    """A key ring that fails (as a kill would stop the process) when asked for the active key
    the ``fail_at``-th time, that is while sealing that cell."""

    def __init__(self, ring: KeyRing, fail_at: int) -> None:
        self._ring, self._left = ring, fail_at
        self.active_id = ring.active_id

    def data_key(self, key_id: int) -> bytes:
        if key_id == self.active_id:
            self._left -= 1
            if self._left == 0:
                raise RuntimeError("stopped mid-batch")
        return self._ring.data_key(key_id)


def test_a_batch_stopped_midway_writes_nothing_and_a_rerun_finishes(
    seeded: tuple[str, Path], use_key_ring: UseKeyRing
) -> None:
    url, instance = seeded
    cells = (
        sum(_cells_per_key(url, instance, use_key_ring).values()) // ROWS
    )  # sealed cells in one row
    ring = load_key_ring(instance / "keys.json").with_new_data_key()
    save_key_ring(ring, instance / "keys.json")
    use_key_ring(ring)
    engine = make_engine(url)
    try:
        with pytest.raises(RuntimeError, match="mid-batch"):
            # Batches of five rows: fail inside the third batch, on its second row.
            failing = _FailingRing(ring, 11 * cells + 1)
            reseal_all(engine, failing, sealed_tables(Base), 5)  # type: ignore[arg-type]
        # Two whole batches were committed; the third, cut in its middle, left no row changed.
        assert _cells_per_key(url, instance, use_key_ring) == {
            1: (ROWS - 10) * cells,
            2: 10 * cells,
        }
        assert reseal_all(engine, ring, sealed_tables(Base), 5) == ROWS - 10
    finally:
        engine.dispose()
    assert _all_open(url, instance, use_key_ring) == (2, {2})


def _cells_per_key(url: str, instance: Path, use_key_ring: UseKeyRing) -> dict[int, int]:
    use_key_ring(load_key_ring(instance / "keys.json"))
    engine = make_engine(url)
    try:
        return dict(key_usage(engine, sealed_tables(Base)))
    finally:
        engine.dispose()
