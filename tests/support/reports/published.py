"""A released report read back from what a reader receives: the page, the print page, the CSV,
the XLSX, and the charts, each parsed on its own into the same plain form.

Nothing here imports ``reports``: a format is read as a reader (or a spreadsheet) would read it,
so the checks in ``tests.support.reports.release_audit`` judge the published cells, not the code
that made them.
"""

from __future__ import annotations

import base64
import csv
import io
import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

from openpyxl import load_workbook


@dataclass
class Grid:
    """One published table: title, header and rows of strings (rows padded to the header)."""

    title: str
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Report:
    """The header facts (label → value) and every table, in reading order."""

    facts: dict[str, str] = field(default_factory=dict)
    tables: list[Grid] = field(default_factory=list)


def _trimmed(cells: list[str]) -> list[str]:
    cells = list(cells)
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def _from_lines(lines: list[list[str]]) -> Report:
    """The export's layout: facts, then blocks split by blank lines — a heading alone, or a
    table (title, an optional one-cell note, header, rows)."""
    lines = [_trimmed(line) for line in lines]
    blocks: list[list[list[str]]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        else:
            blocks.append([])
    report = Report(facts={line[0]: (line[1] if len(line) > 1 else "") for line in blocks[0]})
    for block in blocks[1:]:
        if len(block) < 2:
            continue  # a section heading
        body = block[2:] if len(block[1]) == 1 and len(block) > 2 else block[1:]
        columns, rows = body[0], body[1:]
        width = max([len(columns), *(len(r) for r in rows)])
        pad = [[*r, *[""] * (width - len(r))] for r in [columns, *rows]]
        report.tables.append(Grid(block[0][0], pad[0], pad[1:]))
    return report


# A cell the export neutralised: an apostrophe before what a spreadsheet would run as a formula
# (a signed change such as "+1.5" included). The reader takes the apostrophe for the escape it is.
NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")


def from_csv(data: bytes) -> Report:
    """A CSV export (UTF-8 with a BOM), neutralised cells read as the figures they escape."""
    text = data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    return _from_lines([[NEUTRALISED.sub("", cell) for cell in line] for line in lines])


def from_xlsx(data: bytes) -> Report:
    """An XLSX export: its one sheet, row by row."""
    book = load_workbook(io.BytesIO(data))
    lines = []
    for sheet in book:
        for row in sheet.iter_rows(values_only=True):
            lines.append(["" if v is None else str(v) for v in row])
    return _from_lines(lines)


class _Page(HTMLParser):
    """Collects the facts list, the tables (a caption's title is its text before ``<br>``, the
    note after it) and the images of a report page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.report = Report()
        self.images: list[str] = []
        self._text: list[str] | None = None
        self._row: list[str] | None = None
        self._table: Grid | None = None
        self._in_head = False
        self._label = ""
        # A header's words for screen readers only (an otherwise empty corner): the exports
        # leave that cell blank, so the reader does too.
        self._hidden_spans = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "span" and (
            self._hidden_spans
            or (self._in_head and "visually-hidden" in (dict(attrs).get("class") or ""))
        ):
            self._hidden_spans += 1
        elif tag == "table":
            self._table = Grid("", [], [])
        elif tag == "br" and self._table is not None and self._text is not None:
            self._table.title, self._text = "".join(self._text).strip(), None
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("caption", "th", "td", "dt", "dd"):
            self._text = []
        elif tag == "img":
            self.images.append(dict(attrs).get("src") or "")

    def handle_data(self, data: str) -> None:
        if self._text is not None and not self._hidden_spans:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._hidden_spans:
            self._hidden_spans -= 1
            return
        text = "".join(self._text or []).strip()
        if tag == "caption" and self._table is not None and self._text is not None:
            self._table.title = text
        elif tag in ("th", "td") and self._row is not None:
            self._row.append(text)
        elif tag == "dt":
            self._label = text
        elif tag == "dd":
            self.report.facts[self._label] = text
        elif tag == "tr" and self._table is not None and self._row is not None:
            if self._in_head:
                self._table.columns = self._row
            else:
                self._table.rows.append(self._row)
            self._row = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "table" and self._table is not None:
            self.report.tables.append(self._table)
            self._table = None
        if tag in ("caption", "th", "td", "dt", "dd"):
            self._text = None


def from_html(page: str) -> tuple[Report, list[str]]:
    """A report page (screen or print): its facts, its captioned tables, its charts' SVG."""
    parser = _Page()
    parser.feed(page)
    tables = [t for t in parser.report.tables if t.title]
    charts = [
        base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
        for src in parser.images
        if src.startswith("data:image/svg+xml;base64,")
    ]
    return Report(parser.report.facts, tables), charts


def page_tables(page: str) -> list[Grid]:
    """Every table of a page, captioned or not (the list of reports has no caption)."""
    parser = _Page()
    parser.feed(page)
    return parser.report.tables


def svg_texts(svg: str) -> list[tuple[float, float, str]]:
    """Every ``<text>`` of a chart as (x, y, text)."""
    pattern = r'<text x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>'
    return [(float(x), float(y), unescape(t)) for x, y, t in re.findall(pattern, svg)]


def svg_title(svg: str) -> str:
    """A chart's title (its text alternative)."""
    found = re.search(r"<title[^>]*>([^<]*)</title>", svg)
    return unescape(found.group(1)) if found else ""
