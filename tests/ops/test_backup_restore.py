"""Backup and restore into a fresh instance: every row decrypts and the audit chain verifies.

The database is backed up the documented way (``db backup`` on SQLite, ``pg_dump -Fc`` and
``pg_restore`` on PostgreSQL) and the key ring with ``keys backup``; both are restored into a new
instance folder and a new database, the keys through the recovery app as an operator runs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import create_app
from config.settings import PROJECT_ROOT
from db import Base, Database, make_engine, utcnow
from devservices.postgres import find_bin_dir
from ops import migrations, recovery
from org.models import Teacher
from privacy.audit import AuditEntry, record, verify_chain
from privacy.key_backup import write_backup
from privacy.keys import KeyRing, load_key_ring, save_key_ring
from privacy.rotation import check_cells, key_usage, sealed_tables
from privacy.sealing import SealError
from tests.support.apps import build_settings
from tests.support.factories.org import make_school, make_teacher
from tests.support.keys import UseKeyRing

PASSPHRASE = "a long enough passphrase, 二〇二四"
TEACHERS_PER_KEY = 5
SEEDED_ENTRIES = 3


@dataclass
class Source:
    """The instance that is backed up: its app, database URL, key ring and teachers' names."""

    app: Flask
    url: str
    ring: KeyRing
    names: dict[str, str]
    cells: int


@pytest.fixture
def source(
    backend: str, make_database_url: Callable[[str], str], tmp_path: Path, use_key_ring: UseKeyRing
) -> Iterator[Source]:
    """A seeded instance with cells under two data keys and a few audit entries."""
    url, key_file = make_database_url(backend), tmp_path / "source" / "keys.json"
    engine = make_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    first = KeyRing.generate()
    save_key_ring(first, key_file)
    app = create_app(build_settings(key_file.parent, url))
    database: Database = app.extensions["xinan.db"]
    second = first.with_new_data_key()
    # Half the teachers under each key: the backup must carry the old key as well as the new.
    names = _seed(database, use_key_ring(first)) | _seed(database, use_key_ring(second))
    save_key_ring(second, key_file)
    with Session(database.engine) as session, session.begin():
        record(session, "system", "roster.import", detail={"rows": len(names)})
    cells = sum(key_usage(database.engine, sealed_tables(Base)).values())
    yield Source(app, url, second, names, cells)
    database.dispose()


def _seed(database: Database, ring: KeyRing) -> dict[str, str]:
    """Teachers sealed under ``ring`` (installed by the caller), and an audit entry."""
    with Session(database.engine) as session, session.begin():
        school = make_school(session)
        teachers = [make_teacher(session, school) for _ in range(TEACHERS_PER_KEY)]
        record(session, "system", "keys.rotate", detail={"active_key": ring.active_id})
        return {str(t.id): str(t.name) for t in teachers}


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


def _invoke(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def _restore_database(
    source: Source, backend: str, make_url: Callable[[str], str], tmp_path: Path
) -> str:
    """Back the source database up and restore it as a new, empty instance's database."""
    target = tmp_path / "restored"
    target.mkdir()
    if backend == "sqlite":
        backup = tmp_path / "database-backups" / "xinan.sqlite"
        backup.parent.mkdir()
        result = _invoke(source.app, "db", "backup", "--out", str(backup))
        assert result.exit_code == 0, result.output
        shutil.copyfile(backup, target / "xinan.db")
        return f"sqlite:///{target / 'xinan.db'}"
    dump, url, bin_dir = tmp_path / "xinan.dump", make_url("postgresql"), find_bin_dir()
    _run(bin_dir / "pg_dump", "-Fc", "-f", str(dump), "--dbname", _libpq(source.url))
    _run(bin_dir / "pg_restore", "--exit-on-error", "--no-owner", "-d", _libpq(url), str(dump))
    return url


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _run(program: Path, *args: str) -> None:
    done = subprocess.run([str(program), *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _recovery_restore(instance: Path, url: str, backup: Path) -> subprocess.CompletedProcess[str]:
    # The passphrase comes from the environment here, as a cron job or a script would pass it.
    env = {
        **os.environ,
        "XINAN_INSTANCE_PATH": str(instance),
        "XINAN_DATABASE_URL": url,
        "XINAN_BACKUP_PASSPHRASE": PASSPHRASE,
    }
    argv = [sys.executable, "-m", "flask", "--app", "ops.recovery", "keys", "restore", str(backup)]
    return subprocess.run(
        argv, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _entries(url: str) -> int:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
    finally:
        engine.dispose()


def test_restore_into_a_fresh_instance_opens_every_cell_and_the_chain_verifies(
    source: Source,
    backend: str,
    make_database_url: Callable[[str], str],
    tmp_path: Path,
    passphrase_file: Path,
    use_key_ring: UseKeyRing,
) -> None:
    key_backup = tmp_path / "key-backups" / "xinan-keys.backup"
    key_backup.parent.mkdir()
    result = _invoke(
        source.app,
        "keys",
        "backup",
        "--out",
        str(key_backup),
        "--passphrase-file",
        str(passphrase_file),
    )
    assert result.exit_code == 0, result.output
    assert key_backup.stat().st_mode & 0o777 == 0o600
    url = _restore_database(source, backend, make_database_url, tmp_path)
    instance = tmp_path / "restored"

    done = _recovery_restore(instance, url, key_backup)

    assert done.returncode == 0, done.stderr
    assert f"opens {source.cells} of {source.cells} sealed cells" in done.stdout
    assert "audit chain verifies" in done.stdout
    assert PASSPHRASE not in done.stdout + done.stderr
    assert (instance / "keys.json").stat().st_mode & 0o777 == 0o600
    ring = load_key_ring(instance / "keys.json")
    assert ring == source.ring
    _assert_every_row_decrypts(url, use_key_ring(ring), source)


def _assert_every_row_decrypts(url: str, ring: KeyRing, source: Source) -> None:
    """Every cell opens under ``ring`` (installed by the caller) and holds the seeded names."""
    engine = make_engine(url)
    try:
        assert key_usage(engine, sealed_tables(Base)) == {
            1: source.cells // 2,
            2: source.cells // 2,
        }
        assert check_cells(engine, ring, sealed_tables(Base)).failed == 0
        with Session(engine) as session:
            assert {str(t.id): t.name for t in session.scalars(select(Teacher))} == source.names
            chain = verify_chain(session)
            last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    finally:
        engine.dispose()
    # The seeded entries, the key backup, and the restore itself, chained under the same key.
    assert chain.ok and chain.checked == SEEDED_ENTRIES + 2
    assert last is not None and last.action == "keys.restore" and last.detail["cells_opened"]


def test_a_wrong_key_ring_fails_loudly_and_the_right_one_replaces_it_only_with_force(
    source: Source,
    backend: str,
    make_database_url: Callable[[str], str],
    tmp_path: Path,
    passphrase_file: Path,
) -> None:
    url = _restore_database(source, backend, make_database_url, tmp_path)
    wrong, right = tmp_path / "other-instance.backup", tmp_path / "this-instance.backup"
    write_backup(KeyRing.generate(), PASSPHRASE, wrong, utcnow())
    write_backup(source.ring, PASSPHRASE, right, utcnow())
    before = _entries(url)
    app = recovery.create_app(build_settings(tmp_path / "restored", url))
    try:
        restore = ("keys", "restore", "--passphrase-file", str(passphrase_file))
        result = _invoke(app, *restore, str(wrong))
        assert result.exit_code == 1
        assert f"opens 0 of {source.cells} sealed cells" in result.output
        assert "does NOT verify" in result.output and "do not match" in result.output
        _assert_rows_refuse_to_open(url)
        assert _entries(url) == before, "nothing may be chained under a wrong audit key"

        result = _invoke(app, *restore, str(right))
        assert result.exit_code == 1 and "--force" in result.output

        result = _invoke(app, *restore, "--force", str(right))
        assert result.exit_code == 0, result.output
        assert "audit chain verifies" in result.output
    finally:
        app.extensions["xinan.db"].dispose()
    kept = list((tmp_path / "restored").glob("keys.json.replaced-*"))
    assert len(kept) == 1 and load_key_ring(kept[0]) != source.ring
    assert _entries(url) == before + 1


def _assert_rows_refuse_to_open(url: str) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            teacher = session.scalars(select(Teacher)).first()
            assert teacher is not None
            with pytest.raises(SealError):
                _ = teacher.name
            assert not verify_chain(session).ok
    finally:
        engine.dispose()
