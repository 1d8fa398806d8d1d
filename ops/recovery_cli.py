"""``keys backup``, ``keys restore`` and ``db backup``: what an operator needs to recover.

Every expected failure (a wrong passphrase, a damaged file, a file that exists) is one line and
exit 1, never a traceback. The passphrase is never echoed, logged or written to the audit log.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from config.current import current_settings
from config.settings import Settings
from db import Base, Database, utcnow
from db.current import current_database
from ops.sqlite_backup import SQLiteBackupError, backup_sqlite
from privacy.audit import AuditUnavailable, record_independently, verify_chain
from privacy.key_backup import (
    KeyBackupError,
    fingerprint,
    last_backup,
    note_backup,
    put_in_place,
    read_backup,
    write_backup,
)
from privacy.keys import KeyRing
from privacy.rotation import check_cells, sealed_tables
from privacy.vault import install_key_ring, key_ring

PASSPHRASE_ENV = "XINAN_BACKUP_PASSPHRASE"  # noqa: S105  (the name of a variable, not a value)
FILE = click.Path(dir_okay=False, path_type=Path)
EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
PASSPHRASE_HELP = f"file holding the passphrase (else ${PASSPHRASE_ENV}, else a hidden prompt)"


def _settings() -> Settings:
    return current_settings()


def _database() -> Database:
    return current_database()


@click.command("backup")
@with_appcontext
@click.option("--out", required=True, type=FILE, help="the new backup file (never overwritten)")
@click.option("--passphrase-file", type=EXISTING_FILE, help=PASSPHRASE_HELP)
def keys_backup(out: Path, passphrase_file: Path | None) -> None:
    """Write the whole key ring, encrypted with a passphrase, to a new file."""
    ring, settings, now = key_ring(), _settings(), utcnow()
    passphrase = _passphrase(passphrase_file, confirm=True)
    try:
        write_backup(ring, passphrase, out, now)
    except KeyBackupError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        note_backup(ring, settings.effective_key_file, now)
    except OSError:
        # A key file mounted read-only: the backup stands, only `keys status` cannot know of it.
        click.echo("warning: could not note the backup's time beside the key file", err=True)
    click.echo(
        f"key ring backed up to {out}: {len(ring.data_keys)} data key(s), active key "
        f"{ring.active_id}. Keep it off this server and apart from the database backups, and "
        "the passphrase apart from both."
    )
    if out.resolve().is_relative_to(settings.instance_path.resolve()):
        click.echo(f"warning: {out} is inside the instance folder; move it elsewhere", err=True)
    _audit("keys.backup", {"data_keys": len(ring.data_keys), "active_key": ring.active_id})


@click.command("restore")
@with_appcontext
@click.argument("backup", type=EXISTING_FILE)
@click.option("--passphrase-file", type=EXISTING_FILE, help=PASSPHRASE_HELP)
@click.option("--force", is_flag=True, help="replace a different key file (it is kept beside)")
def keys_restore(backup: Path, passphrase_file: Path | None, force: bool) -> None:
    """Make a key backup the instance's key file, then check it against the database."""
    key_file = _settings().effective_key_file
    passphrase = _passphrase(passphrase_file, confirm=False)
    try:
        ring = read_backup(backup, passphrase)
        aside = put_in_place(ring, key_file, force=force, now=utcnow())
    except KeyBackupError as exc:
        raise click.ClickException(str(exc)) from None
    if aside is not None:
        click.echo(f"the previous key file is kept as {aside}")
    click.echo(f"key ring restored to {key_file} (mode 0600)")
    install_key_ring(ring)
    opened = _check_against_database(ring)
    if opened is not None:
        detail = {"data_keys": len(ring.data_keys), "active_key": ring.active_id}
        _audit("keys.restore", {**detail, "cells_opened": opened, "forced": aside is not None})


def _check_against_database(ring: KeyRing) -> int | None:
    """Report how many sealed cells the ring opens and whether the audit chain verifies."""
    database = _database()
    try:
        if _is_absent_sqlite(database):
            raise SQLAlchemyError("no database file")
        cells = check_cells(database.engine, ring, sealed_tables(Base))
        with Session(database.engine) as session:
            chain = verify_chain(session, key=ring.secret("audit"))
    except SQLAlchemyError:
        click.echo(
            "warning: the database cannot be read (not restored yet, or older than this "
            "version: run `flask --app app db upgrade`), so the keys were not checked against "
            "it and the restore was not audited; run this command again afterwards",
            err=True,
        )
        return None
    click.echo(f"the key ring opens {cells.opened} of {cells.opened + cells.failed} sealed cells")
    click.echo(f"the audit chain {'verifies' if chain.ok else 'does NOT verify'} under it")
    if cells.failed or not chain.ok:
        # Not audited: an entry chained under the wrong audit key would be a forgery forever.
        raise click.ClickException(
            "these keys do not match this database: restore the backup made for it "
            "(the restore was not audited)"
        )
    return cells.opened


@click.command("backup")
@with_appcontext
@click.option("--out", required=True, type=FILE, help="the new backup file (never overwritten)")
def db_backup(out: Path) -> None:
    """Copy the embedded SQLite database with SQLite's online backup API (safe while serving)."""
    database = _database()
    url = database.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise click.ClickException(
            "db backup copies the embedded SQLite database; for PostgreSQL use "
            "pg_dump -Fc (docs/operations/backup-restore.md)"
        )
    try:
        backup_sqlite(Path(url.database), out)
    except SQLiteBackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"database backed up to {out}. It is useless without the key ring and must never be "
        "stored with it: back the keys up separately (flask --app app keys backup)."
    )
    _audit("db.backup", {"backend": "sqlite"})


def _is_absent_sqlite(database: Database) -> bool:
    # Connecting would create an empty file where the restored database is meant to go.
    url = database.engine.url
    return url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file()


def backup_status(ring: KeyRing) -> str:
    """One line for ``keys status``: when the ring was last backed up, and whether it changed."""
    settings = _settings()
    marker = last_backup(settings.effective_key_file)
    if marker is None:
        return "last backup: never. Run `flask --app app keys backup --out FILE` now."
    when = marker.at.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M %Z")
    if marker.fingerprint != fingerprint(ring):
        return f"last backup: {when}, but the key ring has changed since: back it up again."
    return f"last backup: {when} (the current key ring)"


def _passphrase(passphrase_file: Path | None, *, confirm: bool) -> str:
    if passphrase_file is not None:
        try:
            text = passphrase_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"cannot read the passphrase file: {exc}") from None
        # One trailing line end is the editor's, not the passphrase's.
        return text.removesuffix("\n").removesuffix("\r")
    # A per-command secret, deliberately not a Setting: Settings live as long as every process
    # (web workers too) and their repr prints every field, while the passphrase should exist
    # only in the one process that backs up or restores, for the seconds it runs.
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    if stdin_is_terminal():
        return str(click.prompt("Backup passphrase", hide_input=True, confirmation_prompt=confirm))
    raise click.ClickException(
        f"no passphrase: use --passphrase-file PATH or set {PASSPHRASE_ENV} (no terminal to ask)"
    )


def stdin_is_terminal() -> bool:
    """Whether a person can be asked for the passphrase (never in cron or ``make run``)."""
    return sys.stdin.isatty()


def _audit(action: str, detail: dict[str, object]) -> None:
    try:
        record_independently(_database(), "system", action, detail=detail)
    except (SQLAlchemyError, AuditUnavailable):
        raise click.ClickException(
            f"done, but the audit log could not record {action}: migrate the database "
            "(flask --app app db upgrade) and check it"
        ) from None
