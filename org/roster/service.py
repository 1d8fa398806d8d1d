"""The roster import service: read, validate, plan, and (unless a dry run) write.

All or nothing: if any row is bad, the report lists every problem and nothing is written. The
service only flushes; the caller (the CLI) commits once at the end.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from db import utcnow
from org.roster.apply import apply_plan
from org.roster.headers import HeaderError, map_headers
from org.roster.plan import ImportPlan, plan_import
from org.roster.reading import RosterFileError, read_table
from org.roster.report import ImportReport
from org.roster.rows import RosterRow, validate_rows
from privacy.keys import KeyRing
from privacy.vault import key_ring

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def import_roster(
    session: Session,
    path: Path,
    *,
    dry_run: bool = False,
    deactivate_missing: bool = False,
    ring: KeyRing | None = None,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Import the roster at ``path``; the report says what was (or would be) done, or why not."""
    ring = ring or key_ring()
    now = now or utcnow()
    report = ImportReport(dry_run=dry_run, source=path.name)
    rows = read_rows(path, report, current_year=now.astimezone(SHANGHAI).year)
    if not report.ok:
        return report
    plan = plan_import(session, rows, ring, report)
    if not report.ok:
        return report
    _count(report, plan, deactivate_missing)
    if not dry_run:
        apply_plan(session, plan, deactivate=deactivate_missing, now=now)
    return report


def read_rows(path: Path, report: ImportReport, *, current_year: int) -> list[RosterRow]:
    """Read and validate the file; every problem goes to ``report``, never an exception."""
    try:
        table = read_table(path)
        report.source = f"{path.name} ({table.kind})"
        header = map_headers(table.header)
        _note_header(report, header.unknown, header.positions)
        rows = validate_rows(table.rows, header, report, current_year)
    except (RosterFileError, HeaderError) as exc:
        report.add(None, None, str(exc))
        return []
    if report.ok and not rows:
        report.add(None, None, "there are no teacher rows below the header row")
    return rows


def _note_header(report: ImportReport, unknown: tuple[int, ...], positions: dict[str, int]) -> None:
    from openpyxl.utils import get_column_letter

    if unknown:
        letters = ", ".join(get_column_letter(i + 1) for i in unknown)
        report.notices.append(f"column(s) {letters}: header not recognised, column ignored")
    if "school_level" not in positions:
        report.notices.append(
            "no 学段 (school_level) column: new schools' levels come from their names where stated"
        )


def _count(report: ImportReport, plan: ImportPlan, deactivate_missing: bool) -> None:
    matched = [c.existing for c in plan.changes if c.existing is not None]
    report.created = len(plan.changes) - len(matched)
    report.updated = len(matched)
    report.unchanged = report.rows_read - len(plan.changes)
    report.reactivated = len(plan.reactivate) + sum(not e.is_active for e in matched)
    report.missing = len(plan.missing)
    report.deactivated = report.missing if deactivate_missing else 0
    report.missing_pseudonyms = [t.pseudonym for t in plan.missing]
    report.districts_created = len(plan.new_districts)
    report.schools_created = len(plan.new_schools)
    report.schools_updated = len(plan.school_updates)
