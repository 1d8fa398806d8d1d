"""Key rotation re-seals every cell, and a rotation killed halfway is finished by a rerun."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from config.settings import PROJECT_ROOT
from db import Base, make_engine, make_session_factory
from ops import migrations
from org.models import Teacher
from privacy.keys import load_key_ring
from privacy.rotation import key_usage, sealed_tables
from privacy.vault import install_key_ring
from tests.factories import make_school, make_teacher

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


def _seed(instance: Path, url: str) -> None:
    # Create the instance (and its key ring) the way an operator would, then add teachers.
    _flask(instance, url, "db", "upgrade")
    install_key_ring(load_key_ring(instance / "keys.json"))
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        school = make_school(session)
        for n in range(ROWS):
            make_teacher(session, school, name=f"轮换{n}")
        session.commit()
    engine.dispose()


def _all_open(url: str, instance: Path) -> tuple[int, set[int]]:
    ring = load_key_ring(instance / "keys.json")
    install_key_ring(ring)
    engine = make_engine(url)
    with Session(engine) as session:
        names = {t.name for t in session.query(Teacher)}
    usage = key_usage(engine, sealed_tables(Base))
    engine.dispose()
    assert names == {f"轮换{n}" for n in range(ROWS)}
    return ring.active_id, set(usage)


def test_rotation_killed_halfway_then_rerun(
    backend: str, make_database_url: Callable[[str], str], tmp_path: Path
) -> None:
    url = make_database_url(backend)
    migrations.upgrade(engine := make_engine(url))
    engine.dispose()
    instance = tmp_path / "instance"
    _seed(instance, url)

    rotation = subprocess.Popen(
        **_command(instance, url, "keys", "rotate", "--batch-size", "5"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # type: ignore[call-overload]
    _wait_for_mixed_keys(url, instance)
    rotation.send_signal(signal.SIGKILL)
    assert rotation.wait(timeout=30) == -signal.SIGKILL

    active, used = _all_open(url, instance)
    assert active == 2 and used == {1, 2}, "the kill should land between batches"

    _flask(instance, url, "keys", "reseal")
    assert _all_open(url, instance) == (2, {2})


def _wait_for_mixed_keys(url: str, instance: Path) -> None:
    engine = make_engine(url)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if (instance / "keys.json").exists() and len(
                key_usage(engine, sealed_tables(Base))
            ) > 1:
                return
            time.sleep(0.02)
    finally:
        engine.dispose()
    raise AssertionError("rotation never started re-sealing")
