"""An online backup of the embedded SQLite database, safe while the app is serving.

A plain copy of a WAL database can miss committed pages still in ``xinan.db-wal``, or catch the
file halfway through a checkpoint. SQLite's backup API copies a consistent snapshot page by page
while writers carry on; the copy is then switched out of WAL mode so that it is one
self-contained file, checked, and only then given its final name.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path


class SQLiteBackupError(RuntimeError):
    """The backup could not be made; the message is one sentence for the operator."""


def backup_sqlite(source: Path, out: Path) -> None:
    """Write a consistent copy of the database at ``source`` to the new file ``out`` (0600)."""
    if not source.is_file():
        # sqlite3.connect would silently create an empty database here.
        raise SQLiteBackupError(f"there is no database at {source}")
    if out.exists():
        raise SQLiteBackupError(f"{out} exists already: choose a new file name")
    partial = out.with_name(f".{out.name}.partial")
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        _copy(source, partial)
        # link, not replace: a file that appeared at ``out`` meanwhile is never overwritten.
        os.link(partial, out)
    except FileExistsError as exc:
        raise SQLiteBackupError(f"{exc.filename} exists already: choose a new file name") from None
    except OSError as exc:
        raise SQLiteBackupError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def _copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
            verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise SQLiteBackupError(f"SQLite could not back up {source}: {exc}") from None
    finally:
        src.close()
    if verdict != "ok":
        raise SQLiteBackupError(f"the copy of {source} failed SQLite's check: {verdict}")
