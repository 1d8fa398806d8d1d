"""The operator commands of the running service: ``flask --app app db|keys|retention|scheduler``.

The features' own command groups (accounts, waves, roster, demo, audit) are added by
``create_app``, which also imports every model module: ``keys`` needs every sealed table known.
"""

from __future__ import annotations

import signal
import threading
from collections import Counter

import click
from flask import Flask
from flask.cli import AppGroup

from config.current import current_settings
from db import Base, Database
from db.current import current_database
from ops import migrations
from ops.recovery_cli import backup_status, db_backup, keys_backup, keys_restore
from ops.retention_cli import retention_cli
from ops.scheduler import current_scheduler
from privacy.audit.record import record_independently
from privacy.keys import save_key_ring
from privacy.rotation import key_usage, reseal_all, sealed_tables
from privacy.vault import install_key_ring, key_ring

db_cli = AppGroup("db", help="Database schema.")
keys_cli = AppGroup("keys", help="Encryption keys.")
keys_cli.add_command(keys_backup)
keys_cli.add_command(keys_restore)
db_cli.add_command(db_backup)


def register(app: Flask) -> None:
    """Attach the service's own commands to ``app``: db, keys, retention and scheduler."""
    for group in (db_cli, keys_cli, retention_cli):
        app.cli.add_command(group)
    app.cli.add_command(run_scheduler)


def startup_refused(error: Exception) -> Exception:
    """``error`` as the ``flask`` command line should show it: one line, no traceback."""
    if click.get_current_context(silent=True) is not None:  # loading the app for a command
        return click.ClickException(str(error))
    return error


def _database() -> Database:
    return current_database()


@db_cli.command("upgrade")
@click.argument("revision", default="heads")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    migrations.upgrade(_database().engine, revision)
    click.echo(f"database migrated to {revision}")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION."""
    migrations.downgrade(_database().engine, revision)
    click.echo(f"database migrated down to {revision}")


@keys_cli.command("status")
def keys_status() -> None:
    """How many sealed cells each data key seals, and when the ring was last backed up."""
    ring = key_ring()
    usage = key_usage(_database().engine, sealed_tables(Base))
    for key_id in sorted(ring.data_keys):
        active = " (active)" if key_id == ring.active_id else ""
        click.echo(f"key {key_id}{active}: {usage.get(key_id, 0)} cells")
    click.echo(backup_status(ring))


_MAX_BATCHES = click.option(
    "--max-batches", type=click.IntRange(min=1), help="stop after this many batches; rerun to go on"
)


@keys_cli.command("rotate")
@click.option("--batch-size", default=1000, show_default=True)
@_MAX_BATCHES
def keys_rotate(batch_size: int, max_batches: int | None) -> None:
    """Make a new data key active, then re-seal every cell under it."""
    settings = current_settings()
    ring = key_ring().with_new_data_key()
    # The new key is on disk before any cell uses it, so an interrupted rotation loses nothing.
    save_key_ring(ring, settings.effective_key_file)
    install_key_ring(ring)
    record_independently(
        _database(), "system", "keys.rotate", detail={"active_key": ring.active_id}
    )
    click.echo(f"key {ring.active_id} is now active; re-sealing (rerun `keys reseal` if stopped)")
    _reseal(batch_size, max_batches)
    # An older backup lacks the new key, and cells are now sealed under it.
    click.echo("back the key ring up again now: flask --app app keys backup --out FILE")


@keys_cli.command("reseal")
@click.option("--batch-size", default=1000, show_default=True)
@_MAX_BATCHES
def keys_reseal(batch_size: int, max_batches: int | None) -> None:
    """Re-seal every cell not yet under the active key (finishes an interrupted rotation)."""
    _reseal(batch_size, max_batches)


def _reseal(batch_size: int, max_batches: int | None) -> None:
    tables = sealed_tables(Base)
    changed = reseal_all(_database().engine, key_ring(), tables, batch_size, max_batches)
    click.echo(f"re-sealed {changed} rows")
    # Counting what is left reads every cell again: only worth it when the run was cut short.
    usage = key_usage(_database().engine, tables) if max_batches else Counter[int]()
    stale = sum(n for key, n in usage.items() if key != key_ring().active_id)
    if stale:
        click.echo(f"{stale} cells still under older keys: run `keys reseal` to finish")
    else:
        click.echo(f"every cell is under key {key_ring().active_id}")


@click.command("scheduler")
def run_scheduler() -> None:
    """Run the one scheduler process in the foreground until SIGTERM or Ctrl-C (production)."""
    scheduler = current_scheduler()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    scheduler.start()
    click.echo("scheduler running; stop with SIGTERM or Ctrl-C")
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown()
