"""``keys backup|restore|status`` and ``db backup`` as an operator meets them: one-line errors,
exit 1, no traceback, no passphrase anywhere, and a status that nags until the keys are saved."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import create_app
from db import make_engine, utcnow
from ops import migrations, recovery, recovery_cli
from privacy.audit import AuditEntry
from privacy.key_backup import write_backup
from privacy.keys import KeyRing, load_key_ring
from tests.support.apps import build_settings

PASSPHRASE = "sixteen or more characters"


@pytest.fixture
def make_app(
    make_database_url: Callable[[str], str], tmp_path: Path
) -> Iterator[Callable[[str], Flask]]:
    """Apps on fresh, migrated databases of the given backend, each with its own instance."""
    apps: list[Flask] = []

    def make(backend: str) -> Flask:
        url = make_database_url(backend)
        engine = make_engine(url)
        migrations.upgrade(engine)
        engine.dispose()
        apps.append(create_app(build_settings(tmp_path / f"instance{len(apps)}", url)))
        return apps[-1]

    yield make
    for app in apps:
        app.extensions["xinan.db"].dispose()


@pytest.fixture
def app(make_app: Callable[[str], Flask]) -> Flask:
    return make_app("sqlite")


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase"
    path.write_text(PASSPHRASE + "\r\n", encoding="utf-8")
    return path


def _run(app: Flask, *args: str, **kwargs: object) -> Result:
    return app.test_cli_runner().invoke(args=list(args), **kwargs)


def _is_one_clean_line(result: Result) -> bool:
    # ClickException: exit 1 through SystemExit, never an unhandled exception.
    lines = result.output.strip().splitlines()
    return result.exit_code == 1 and isinstance(result.exception, SystemExit) and len(lines) == 1


def test_a_short_passphrase_writes_nothing(app: Flask, tmp_path: Path) -> None:
    short = tmp_path / "short"
    short.write_text("too short\n")
    result = _run(
        app, "keys", "backup", "--out", str(tmp_path / "k"), "--passphrase-file", str(short)
    )
    assert _is_one_clean_line(result) and "at least 16 characters" in result.output
    assert not (tmp_path / "k").exists()


def test_without_a_terminal_or_a_passphrase_it_says_how_to_give_one(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(recovery_cli.PASSPHRASE_ENV, raising=False)
    result = _run(app, "keys", "backup", "--out", str(tmp_path / "k"))
    assert _is_one_clean_line(result) and "--passphrase-file" in result.output


def test_the_prompt_hides_and_confirms_the_passphrase(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(recovery_cli.PASSPHRASE_ENV, raising=False)
    monkeypatch.setattr(recovery_cli, "stdin_is_terminal", lambda: True)
    out = tmp_path / "k"
    result = _run(app, "keys", "backup", "--out", str(out), input=f"{PASSPHRASE}\n{PASSPHRASE}\n")
    assert result.exit_code == 0, result.output
    assert PASSPHRASE not in result.output and "Repeat for confirmation" in result.output


def test_a_wrong_passphrase_or_a_damaged_file_is_one_line(
    app: Flask, tmp_path: Path, passphrase_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "k"
    monkeypatch.setenv(recovery_cli.PASSPHRASE_ENV, PASSPHRASE)
    assert _run(app, "keys", "backup", "--out", str(out)).exit_code == 0
    monkeypatch.setenv(recovery_cli.PASSPHRASE_ENV, "another passphrase, just as long")
    wrong = _run(app, "keys", "restore", str(out))
    assert _is_one_clean_line(wrong) and "wrong passphrase" in wrong.output
    # The file's line end (CR LF here) is not part of the passphrase.
    right = _run(app, "keys", "restore", str(out), "--passphrase-file", str(passphrase_file))
    assert right.exit_code == 0 and "opens 0 of 0 sealed cells" in right.output, right.output
    out.write_bytes(out.read_bytes()[:100])
    damaged = _run(app, "keys", "restore", str(out), "--passphrase-file", str(passphrase_file))
    assert _is_one_clean_line(damaged) and "not JSON" in damaged.output


def test_an_existing_backup_is_never_overwritten(
    app: Flask, tmp_path: Path, passphrase_file: Path
) -> None:
    out = tmp_path / "k"
    out.write_text("keep me")
    result = _run(
        app, "keys", "backup", "--out", str(out), "--passphrase-file", str(passphrase_file)
    )
    assert _is_one_clean_line(result) and "exists already" in result.output
    assert out.read_text() == "keep me"


def test_status_nags_until_backed_up_and_again_after_a_rotation(
    app: Flask, tmp_path: Path, passphrase_file: Path
) -> None:
    assert "last backup: never" in _run(app, "keys", "status").output
    out = tmp_path / "k"
    _run(app, "keys", "backup", "--out", str(out), "--passphrase-file", str(passphrase_file))
    assert "(the current key ring)" in _run(app, "keys", "status").output
    rotated = _run(app, "keys", "rotate")
    assert "back the key ring up again" in rotated.output
    assert "changed since: back it up again" in _run(app, "keys", "status").output


def test_a_backup_is_audited_without_any_secret(
    app: Flask, tmp_path: Path, passphrase_file: Path
) -> None:
    out = tmp_path / "k"
    _run(app, "keys", "backup", "--out", str(out), "--passphrase-file", str(passphrase_file))
    with Session(app.extensions["xinan.db"].engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "keys.backup")).one()
    assert entry.actor == "system" and entry.detail == {"data_keys": 1, "active_key": 1}


def test_db_backup_copies_sqlite_and_points_postgresql_to_pg_dump(
    make_app: Callable[[str], Flask], tmp_path: Path
) -> None:
    out = tmp_path / "db.sqlite"
    sqlite = _run(make_app("sqlite"), "db", "backup", "--out", str(out))
    assert sqlite.exit_code == 0 and out.stat().st_mode & 0o777 == 0o600
    assert out.read_bytes().startswith(b"SQLite format 3\0")
    again = _run(make_app("sqlite"), "db", "backup", "--out", str(out))
    assert _is_one_clean_line(again) and "exists already" in again.output
    postgres = _run(make_app("postgresql"), "db", "backup", "--out", str(tmp_path / "pg"))
    assert _is_one_clean_line(postgres) and "pg_dump -Fc" in postgres.output


def test_keys_restored_before_the_database_are_written_but_not_yet_checked(
    tmp_path: Path, passphrase_file: Path
) -> None:
    backup, ring = tmp_path / "k", KeyRing.generate()
    write_backup(ring, PASSPHRASE, backup, utcnow())
    instance = tmp_path / "empty-instance"
    app = recovery.create_app(build_settings(instance, f"sqlite:///{instance / 'xinan.db'}"))
    try:
        result = _run(
            app, "keys", "restore", str(backup), "--passphrase-file", str(passphrase_file)
        )
    finally:
        app.extensions["xinan.db"].dispose()
    assert result.exit_code == 0, result.output
    assert "not audited" in result.output and "run this command again" in result.output
    assert load_key_ring(instance / "keys.json") == ring
    assert not (instance / "xinan.db").exists(), "no empty database where the restore goes"
