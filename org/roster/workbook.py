"""Reading the first sheet of an XLSX workbook, without evaluating anything.

openpyxl is used read-only with formulas kept as formulas: a formula cell is reported as a bad
cell rather than trusted, because its cached result may be stale and its text may be an injection.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from org.roster.reading import RawRow, RawTable, RosterFileError

FORMULA = "holds a formula (formulas are not evaluated: paste values instead)"


def read_workbook(data: bytes) -> RawTable:
    """The first worksheet of an XLSX file as a header row and data rows."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; none matter for a roster.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise RosterFileError(f"not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        rows = list(_sheet_rows(book.worksheets[0]))
    except (KeyError, ValueError, TypeError, IndexError, zipfile.BadZipFile) as exc:
        raise RosterFileError(f"the first sheet cannot be read ({type(exc).__name__})") from None
    finally:
        book.close()
    if not rows:
        raise RosterFileError("the first sheet is empty")
    header = rows[0]
    if header.faults:
        raise RosterFileError("the header row (row 1) holds formulas or non-text cells")
    return RawTable("XLSX, first sheet", header.cells, iter(rows[1:]))


def _sheet_rows(sheet: Any) -> Iterator[RawRow]:
    if isinstance(sheet, ReadOnlyWorksheet):
        # The stored dimension can be wrong (some exporters never update it): read every row.
        sheet.reset_dimensions()
    for number, cells in enumerate(sheet.iter_rows(min_row=1), start=1):
        texts: list[str] = []
        faults: dict[int, str] = {}
        for index, cell in enumerate(cells):
            text, fault = cell_text(getattr(cell, "data_type", "n"), getattr(cell, "value", None))
            texts.append(text)
            if fault:
                faults[index] = fault
        yield RawRow(number, texts, faults)


def cell_text(data_type: str, value: object) -> tuple[str, str | None]:
    """A cell's value as text, or a fault describing why it cannot be used."""
    if data_type == "f":
        return "", FORMULA
    if data_type == "e":
        return "", "holds a spreadsheet error value"
    if value is None:
        return "", None
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, float):
        if not math.isfinite(value):
            return "", "is not a finite number"
        # Excel stores every number as a float; a staff number 1024 arrives as 1024.0.
        return (str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)), None
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return "", "holds a date or time (format the column as text or a plain number)"
    return str(value), None
