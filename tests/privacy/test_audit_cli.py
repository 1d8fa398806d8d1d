"""``flask --app app audit verify|checkpoint`` as an operator runs them: exit codes and messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from config.settings import PROJECT_ROOT
from db import Database
from ops import migrations
from privacy.audit import record_independently
from privacy.audit.verify import checkpoint_head
from privacy.keys import KeyRing, save_key_ring
from tests.support.keys import UseKeyRing

DISABLE = {
    "sqlite": "DROP TRIGGER audit_entries_no_delete",
    "postgresql": "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only",
}


def _start(instance: Path, url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "XINAN_INSTANCE_PATH": str(instance), "XINAN_DATABASE_URL": url}
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    try:
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:  # a timed-out command is not left running
            process.kill()
            process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _flask(instance: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return _finish(_start(instance, url, *args))


def _seed(instance: Path, url: str, entries: int, use_key_ring: UseKeyRing) -> Database:
    # What `db upgrade` does on a first run, in-process: each app start costs seconds.
    ring = KeyRing.generate()
    save_key_ring(ring, instance / "keys.json")
    use_key_ring(ring)
    database = Database(url)
    migrations.upgrade(database.engine)
    for n in range(entries):
        record_independently(database, "system", "keys.rotate", detail={"key": n})
    return database


def test_verify_and_checkpoint_from_the_shell(
    backend: str,
    make_database_url: Callable[[str], str],
    tmp_path: Path,
    use_key_ring: UseKeyRing,
) -> None:
    url, instance, saved = make_database_url(backend), tmp_path / "instance", tmp_path / "cp.json"
    database = _seed(instance, url, 5, use_key_ring)
    try:
        clean = _flask(instance, url, "audit", "verify")
        assert clean.returncode == 0, clean.stderr
        assert "audit chain OK: 5 entries verified" in clean.stdout

        signed = _flask(instance, url, "audit", "checkpoint", "--out", str(saved))
        assert signed.returncode == 0, signed.stderr
        assert json.loads(signed.stdout)["seq"] == 5 == json.loads(saved.read_text())["seq"]

        # An attacker with raw access cuts off the last two entries.
        with database.engine.begin() as connection:
            connection.execute(text(DISABLE[backend]))
            connection.execute(text("DELETE FROM audit_entries WHERE seq > 3"))

        cut = _flask(instance, url, "audit", "verify", "--checkpoint", str(saved))
        assert cut.returncode == 1
        assert "BROKEN at entry 4 (truncated)" in cut.stdout
        assert "entries 4–5 were cut off" in cut.stdout
        assert "Traceback" not in cut.stdout + cut.stderr
    finally:
        database.dispose()


def test_operator_mistakes_exit_1_without_a_traceback(
    backend: str,
    make_database_url: Callable[[str], str],
    tmp_path: Path,
    use_key_ring: UseKeyRing,
) -> None:
    url, instance = make_database_url(backend), tmp_path / "instance"
    database = _seed(instance, url, 3, use_key_ring)
    edited = tmp_path / "edited.json"
    try:
        with Session(database.engine) as session:
            signed = checkpoint_head(session)[1]
        assert signed is not None
        edited.write_text(signed.to_json().replace('"seq": 3', '"seq": 2'))
        with database.engine.begin() as connection:
            connection.execute(text(DISABLE[backend]))
            connection.execute(text("DELETE FROM audit_entries WHERE seq = 2"))
        # Independent reads: run side by side, since each app start costs seconds.
        started = {
            "missing": _start(instance, url, "audit", "verify", "--checkpoint", "nope.json"),
            "edited": _start(instance, url, "audit", "verify", "--checkpoint", str(edited)),
            "refused": _start(instance, url, "audit", "checkpoint"),
        }
        try:
            runs = {name: _finish(process) for name, process in started.items()}
        finally:
            for process in started.values():
                if process.poll() is None:
                    process.kill()
                    process.communicate()
    finally:
        database.dispose()
    for name, run in runs.items():
        assert run.returncode == 1, name
        assert "Traceback" not in run.stdout + run.stderr, name
    assert "cannot read nope.json" in runs["missing"].stderr
    assert "signature does not match" in runs["edited"].stderr
    assert "BROKEN at entry 2 (missing)" in runs["refused"].stdout
    assert "no checkpoint written" in runs["refused"].stderr
