"""The report's follow-up tables name case levels, case states, outreach states, referral types and
outcomes in words, the words the case pages use, on the page and in both exports; the codes the
database stores (``crisis``, ``acknowledged``, ``taken_up``…) never reach a Chinese report.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import asdict

import pytest
from jinja2 import Environment, FileSystemLoader
from openpyxl import load_workbook

from alerts import labels
from config.settings import PROJECT_ROOT
from reports.exports import report_csv, report_xlsx
from reports.linked import linked_tables
from reports.models import ReportRelease
from reports.sections import report_sections
from reports.snapshot import followup_counts
from tests.support.factories.releases import NOW

CODES = set(labels.CASEWORK_LABELS)


def release_with_followup() -> ReportRelease:
    """A release whose document holds the follow-up tables as a release stores them (codes)."""
    tables = linked_tables(followup_counts([], [], NOW), k=10)
    document = {
        "wave": {"name": "W1", "released_at": NOW.isoformat()},
        "k": 10,
        "respondents": "0",
        "tables": [],
        "followup": [asdict(table) for table in tables.values()],
    }
    stored = {cell for t in tables.values() for cell in [*t.columns, *t.rows[0]]}
    assert {"crisis", "acknowledged", "taken_up", "resolved"} <= stored, "codes are stored"
    return ReportRelease(wave_id=1, k=10, document=document, charts={})


def csv_cells(release: ReportRelease) -> list[str]:
    """Every cell of the CSV export."""
    text = report_csv(release).decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def xlsx_cells(release: ReportRelease) -> list[str]:
    """Every cell of the XLSX export."""
    sheet = load_workbook(io.BytesIO(report_xlsx(release))).active
    assert sheet is not None
    return [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]


def page_cells(release: ReportRelease) -> list[str]:
    """Every header and row label of the report's sections, as the page shows them."""
    return [
        cell
        for section in report_sections(release)
        for table in section.tables
        for cell in [*table.columns, *(row[0] for row in table.rows)]
    ]


@pytest.mark.parametrize("cells_of", [csv_cells, xlsx_cells, page_cells])
def test_followup_tables_name_levels_and_states_in_words_never_by_code(
    cells_of: Callable[[ReportRelease], list[str]],
) -> None:
    cells = cells_of(release_with_followup())
    assert not CODES & set(cells), f"codes in the report: {sorted(CODES & set(cells))}"
    for words in ("危机 Crisis", "高风险 High", "关怀转个案 Moderate", "新 New",
                  "已确认 Acknowledged", "跟进中 Following up", "已结案 Closed",
                  "教师希望交谈 Asked to talk", "已接手 Taken up", "已缓解 Resolved"):  # fmt: skip
        assert words in cells, words


def test_counts_and_other_cells_are_left_as_they_are() -> None:
    release = release_with_followup()
    stored = release.document["followup"]
    assert isinstance(stored, list)
    [followup] = [s for s in report_sections(release) if s.heading.startswith("随访汇总")]
    shown = followup.tables
    for table, original in zip(shown, stored, strict=True):
        assert table.title == original["title"] and table.note == original["note"]
        assert [row[1:] for row in table.rows] == [row[1:] for row in original["rows"]]


def test_the_report_words_are_the_case_pages_words() -> None:
    templates = Environment(loader=FileSystemLoader(PROJECT_ROOT / "templates"), autoescape=True)
    pages = templates.get_template("cases/_labels.html").module
    assert pages.LEVELS == labels.LEVELS  # type: ignore[attr-defined]
    assert pages.STATES == labels.STATES  # type: ignore[attr-defined]
    assert pages.OUTCOMES == labels.OUTCOMES  # type: ignore[attr-defined]
    assert pages.REFERRALS == labels.REFERRALS  # type: ignore[attr-defined]
