"""``flask --app app retention purge [--dry-run]``: run every retention rule now."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from config.current import current_settings
from db import utcnow
from db.current import current_database
from ops.retention import PurgeContext, audit_entries_past_retention, retention_registry

retention_cli = AppGroup("retention", help="Delete data past its retention period.")


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="count what would be deleted; delete nothing")
def purge(dry_run: bool) -> None:
    """Run every retention rule (the scheduler does this too); safe to run at any time."""
    database = current_database()
    context = PurgeContext(now=utcnow(), settings=current_settings(), dry_run=dry_run)
    counts = retention_registry(current_app).run(database, context)
    verb = "would delete" if dry_run else "deleted"
    for name, count in counts.items():
        click.echo(f"{name}: {'FAILED (see the log)' if count is None else f'{verb} {count}'}")
    try:
        with Session(database.engine) as session:
            old = audit_entries_past_retention(session, context)
    except SQLAlchemyError:
        old = None
    if old:
        click.echo(
            f"audit: {old} entries are past retention_audit_days; the app never deletes them "
            "(archive them by hand: docs/decisions/0003-audit-chain.md)"
        )
    if None in counts.values() or old is None:
        raise click.ClickException("some rules could not run; nothing was left half done")
