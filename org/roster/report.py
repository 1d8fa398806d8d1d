"""What an import found and did, in terms that never carry a cell's value.

A problem names a row (as a spreadsheet numbers it, header = row 1), a column and a reason. The
value itself is never repeated: reports are printed, pasted into tickets and kept in logs, and a
roster holds names, phone numbers and staff numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Enough to follow up a handful of leavers; a wrong file would otherwise print the whole city.
MAX_PSEUDONYMS_SHOWN = 200


@dataclass(frozen=True, order=True)
class Problem:
    """One reason the file cannot be imported; ``row`` is None for a problem with the whole file."""

    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        if self.column:
            where += f", {self.column}"
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    """Counts, notices and problems of one import (or one dry run)."""

    dry_run: bool = False
    source: str = ""
    rows_read: int = 0
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reactivated: int = 0
    missing: int = 0
    deactivated: int = 0
    districts_created: int = 0
    schools_created: int = 0
    schools_updated: int = 0
    missing_pseudonyms: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file had no problem (and, unless a dry run, was imported)."""
        return not self.problems

    def add(self, row: int | None, column: str | None, reason: str) -> None:
        """Record one problem."""
        self.problems.append(Problem(row, column, reason))

    def summary_lines(self) -> list[str]:
        """The human summary printed by the CLI (counts and notices, no personal data)."""
        verb = "would be" if self.dry_run else "were"
        lines = [
            f"roster {self.source}: {self.rows_read} teacher rows read",
            f"teachers: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.reactivated} reactivated",
            f"districts created: {self.districts_created}; schools created: "
            f"{self.schools_created}; schools updated: {self.schools_updated}",
            f"missing from this file: {self.missing} active teacher(s); "
            f"{self.deactivated} {verb} deactivated",
        ]
        lines += [f"note: {notice}" for notice in self.notices]
        if self.missing_pseudonyms:
            shown = self.missing_pseudonyms[:MAX_PSEUDONYMS_SHOWN]
            more = len(self.missing_pseudonyms) - len(shown)
            tail = f" (and {more} more)" if more else ""
            lines.append("missing (pseudonyms): " + ", ".join(shown) + tail)
        if self.dry_run:
            lines.append("dry run: nothing was written")
        return lines
