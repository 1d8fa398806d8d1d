"""``flask --app app roster import PATH [--dry-run] [--deactivate-missing]``.

Exit status: 0 imported (or a clean dry run), 1 the file has problems (nothing written), 2 a
usage error (bad option, missing file), 3 the database or key ring failed (nothing written).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db.current import current_database
from org.roster import ImportReport, import_roster
from privacy.keys import KeyRingError
from privacy.sealing import SealError

log = logging.getLogger(__name__)

roster_cli = AppGroup("roster", help="The teachers' roster.")

EXIT_BAD_FILE = 1
EXIT_FAILED = 3


@roster_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option(
    "--deactivate-missing",
    is_flag=True,
    help="Deactivate teachers of the file's districts who are not in the file.",
)
def import_command(path: Path, dry_run: bool, deactivate_missing: bool) -> None:
    """Import districts, schools and teachers from a CSV or XLSX roster at PATH."""
    database = current_database()
    session = database.session()
    try:
        report = import_roster(
            session, path, dry_run=dry_run, deactivate_missing=deactivate_missing
        )
        if report.ok and not dry_run:
            session.commit()
        else:
            session.rollback()
    except (SQLAlchemyError, KeyRingError, SealError) as exc:
        _fail(
            session, exc, "Is the database migrated (`flask --app app db upgrade`) and reachable?"
        )
    except Exception as exc:
        # A traceback or message could quote a roster value; the operator gets the class only.
        _fail(session, exc, "This is a bug in Xinan: please report it with the exit status.")
    _print(report)
    if not report.ok:
        raise SystemExit(EXIT_BAD_FILE)


def _fail(session: Session, exc: BaseException, hint: str) -> NoReturn:
    session.rollback()
    # Only the class: database messages quote the parameters, i.e. the roster's values.
    log.error(
        "roster import failed", extra={"event": "roster.import_failed", "error": type(exc).__name__}
    )
    click.echo(
        f"error: the import failed ({type(exc).__name__}); nothing was written. {hint}", err=True
    )
    raise SystemExit(EXIT_FAILED) from None


def _print(report: ImportReport) -> None:
    log.info(
        "roster import",
        extra={
            "event": "roster.import",
            "dry_run": report.dry_run,
            "ok": report.ok,
            "rows": report.rows_read,
            "problems": len(report.problems),
            "teachers_created": report.created,
            "teachers_updated": report.updated,
            "teachers_missing": report.missing,
            "teachers_deactivated": report.deactivated,
        },
    )
    if report.ok:
        for line in report.summary_lines():
            click.echo(line)
        return
    for notice in report.notices:
        click.echo(f"note: {notice}", err=True)
    # Stable by row: problems found across rows (a school's level) come in their row's place.
    for problem in sorted(report.problems, key=lambda p: p.row or 0):
        click.echo(str(problem), err=True)
    rows = len({p.row for p in report.problems if p.row is not None})
    click.echo(
        f"{len(report.problems)} problem(s) in {rows} row(s) of {report.source}; "
        "nothing was imported",
        err=True,
    )
