"""CSV and XLSX of a released report: the page's cells, row for row, suppression marks included."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from openpyxl import Workbook
from openpyxl.styles import Font

from reports.models import ReportRelease
from reports.sections import report_sections, summary

# A spreadsheet reads a cell starting with one of these as a formula (or a DDE call).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A cell a spreadsheet will not run: a leading apostrophe before any formula start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def report_lines(release: ReportRelease) -> Iterator[tuple[list[str], bool]]:
    """Every line of the report as shown, and whether it is a heading."""
    for label, value in summary(release):
        yield [label, value], False
    for section in report_sections(release):
        yield [], False
        yield [section.heading], True
        for table in section.tables:
            yield [], False
            yield [table.title], True
            if table.note:
                yield [table.note], False
            yield table.columns, True
            for row in table.rows:
                yield row, False


def report_csv(release: ReportRelease) -> bytes:
    """The report as CSV: UTF-8 with a BOM (so Excel reads Chinese), formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for cells, _heading in report_lines(release):
        writer.writerow([neutralise(c) for c in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def report_xlsx(release: ReportRelease) -> bytes:
    """The report as one XLSX sheet; every cell is stored as text, never as a formula."""
    book = Workbook()
    sheet = book.create_sheet("Report")
    del book["Sheet"]  # the empty default sheet
    bold = Font(bold=True)
    for r, (cells, heading) in enumerate(report_lines(release), start=1):
        for c, text in enumerate(cells, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = text
            cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
            if heading:
                cell.font = bold
    sheet.column_dimensions["A"].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
