"""Validating data rows into ``RosterRow`` values, reporting every bad cell by row and column."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter

from org.models import SchoolLevel
from org.roster import cells
from org.roster.cells import CellError
from org.roster.headers import HeaderMap
from org.roster.levels import parse_level
from org.roster.reading import RawRow
from org.roster.report import ImportReport

MIN_BIRTH_YEAR = 1930
MIN_WORKING_AGE = 16
MAX_YEARS_OF_SERVICE = 60


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One valid teacher row, normalised (the form that is sealed and digested)."""

    number: int
    staff_no: str
    name: str
    district: str
    school: str
    gender: str | None = None
    birth_year: int | None = None
    years_of_service: int | None = None
    subject: str | None = None
    is_psychologist: bool | None = None
    phone: str | None = None
    email: str | None = None
    school_level: SchoolLevel | None = None
    campus: str | None = None


@dataclass(frozen=True)
class FieldRule:
    """How one column is cleaned and parsed."""

    max_length: int
    parse: Callable[[str], Any] | None = None
    formula_check: bool = True
    is_required: bool = False


def field_rules(current_year: int) -> dict[str, FieldRule]:
    """The rule of every column; plausible years depend on the year of the import."""
    return {
        "staff_no": FieldRule(32, cells.parse_staff_no, is_required=True),
        "name": FieldRule(100, is_required=True),
        "district": FieldRule(100, is_required=True),
        "school": FieldRule(200, is_required=True),
        "gender": FieldRule(10, cells.parse_gender),
        "birth_year": FieldRule(
            10, lambda t: cells.parse_int(t, MIN_BIRTH_YEAR, current_year - MIN_WORKING_AGE)
        ),
        "years_of_service": FieldRule(10, lambda t: cells.parse_int(t, 0, MAX_YEARS_OF_SERVICE)),
        "subject": FieldRule(50),
        "is_psychologist": FieldRule(10, cells.parse_bool),
        # A phone number legitimately starts with +86; its parser admits only digits anyway.
        "phone": FieldRule(32, cells.parse_phone, formula_check=False),
        "email": FieldRule(254, cells.parse_email),
        "school_level": FieldRule(20, parse_level),
        "campus": FieldRule(100),
    }


def validate_rows(
    raw_rows: Iterable[RawRow], header: HeaderMap, report: ImportReport, current_year: int
) -> list[RosterRow]:
    """Every valid row; each bad cell, duplicate or stray cell is added to ``report``."""
    rules = {f: r for f, r in field_rules(current_year).items() if f in header.positions}
    known = set(header.positions.values()) | set(header.unknown)
    first_seen: dict[str, int] = {}
    valid: list[RosterRow] = []
    for raw in raw_rows:
        if not raw.faults and not any(c.strip() for c in raw.cells):
            continue  # blank lines between or after the data are not rows
        report.rows_read += 1
        values = _parse_cells(raw, header, rules, report)
        is_aligned = _check_stray_cells(raw, known, report)
        if values is None or not is_aligned:
            continue
        if not _check_years(raw.number, values, header, report, current_year):
            continue
        staff_no = values["staff_no"]
        if staff_no in first_seen:
            report.add(
                raw.number,
                header.label("staff_no"),
                f"duplicate staff number, first in row {first_seen[staff_no]}",
            )
            continue
        first_seen[staff_no] = raw.number
        valid.append(RosterRow(number=raw.number, **values))
    return valid


def _parse_cells(
    raw: RawRow, header: HeaderMap, rules: dict[str, FieldRule], report: ImportReport
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    is_valid = True
    width = len(raw.cells)
    for field, rule in rules.items():
        position = header.positions[field]
        try:
            if raw.faults and position in raw.faults:
                raise CellError(raw.faults[position])
            text = raw.cells[position] if position < width else ""
            if text:
                text = cells.clean(text, rule.max_length, formula_check=rule.formula_check)
            if text:
                values[field] = rule.parse(text) if rule.parse else text
            elif rule.is_required:
                raise CellError("is required")
        except CellError as exc:
            report.add(raw.number, header.label(field), str(exc))
            is_valid = False
    return values if is_valid else None


def _check_stray_cells(raw: RawRow, known: set[int], report: ImportReport) -> bool:
    # Data under no header usually means the columns slipped; importing it would misfile people.
    for index, text in enumerate(raw.cells):
        if index not in known and (text.strip() or index in raw.faults):
            report.add(
                raw.number,
                f"column {get_column_letter(index + 1)}",
                "has a value but no header in row 1",
            )
            return False
    return True


def _check_years(
    number: int, values: dict[str, Any], header: HeaderMap, report: ImportReport, year: int
) -> bool:
    born, service = values.get("birth_year"), values.get("years_of_service")
    if born is not None and service is not None and born + MIN_WORKING_AGE + service > year:
        report.add(
            number,
            header.label("years_of_service"),
            f"is more than the teacher's age allows (working from age {MIN_WORKING_AGE})",
        )
        return False
    return True
