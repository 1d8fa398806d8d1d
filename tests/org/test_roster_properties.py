"""Hypothesis on the import (protection.md test 7, 9): whatever the file, a clear report or a
correct import, never a traceback, never a partial write, never a cell value in the report."""

from __future__ import annotations

import codecs
import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from org.roster import ImportReport, import_roster
from tests.support.rosters import HEADER, csv_bytes, teacher_count

MARK = "CNRY"  # every generated staff number and name carries it; no report may
_serial = itertools.count()

JUNK = st.one_of(
    st.sampled_from(
        [
            "",
            "NaN",
            "inf",
            "-inf",
            "1e309",
            "9" * 40,
            "=1+1",
            "+SUM(A1)",
            "-2",
            "@x",
            "＝1",
            "\x00",
            "a\r\nb",
            "\u202eabc",
            "\u200b",
            "１９８５",
            "１３８００１３８０００",
            "是",
            "M",
            "女",
            "🙂",
            "𠀀",
        ]
    ),
    st.text(max_size=12),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
)


def good_cells(n: int) -> list[str]:
    return [
        f"{MARK}{n:06d}", f"{MARK}名{n}", "男", "1980", "10", "语文", "否",
        f"139{n:08d}", f"c{n}@example.cn", "性质学校", "性质区",
    ]  # fmt: skip


@st.composite
def roster_files(draw: st.DrawFn) -> bytes:
    header = list(HEADER)
    if draw(st.booleans()):
        for column in draw(st.sets(st.sampled_from(HEADER), max_size=3)):
            header.remove(column)
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        n = next(_serial) % 1000 if draw(st.booleans()) else draw(st.integers(0, 3))
        cells = dict(zip(HEADER, good_cells(n), strict=True))
        for column in draw(st.sets(st.sampled_from(HEADER), max_size=3)):
            cells[column] = draw(JUNK)
        if draw(st.booleans()):  # a full-width twin of the staff number collides after NFKC
            cells["工号"] = cells["工号"].translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
        rows.append([cells[h] for h in header])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16", "utf-16-be", "raw"]))
    if encoding == "raw":
        return draw(st.binary(max_size=200))
    try:
        data = csv_bytes(rows, encoding, header)
    except UnicodeEncodeError:
        data = csv_bytes(rows, "utf-8", header)
    return codecs.BOM_UTF16_BE + data if encoding == "utf-16-be" else data


def check_report(report: ImportReport) -> None:
    text = "\n".join([*map(str, report.problems), *report.summary_lines()])
    assert MARK not in text
    assert "Traceback" not in text


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=roster_files())
def test_any_file_gets_a_clear_report_and_all_or_nothing(
    db_session: Session, tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(data)
    savepoint = db_session.begin_nested()
    try:
        before = teacher_count(db_session)
        report = import_roster(db_session, path)
        check_report(report)
        if not report.ok:
            assert report.problems and all(p.reason for p in report.problems)
            assert teacher_count(db_session) == before
            return
        assert teacher_count(db_session) == before + report.created
        again = import_roster(db_session, path)
        assert again.ok and (again.created, again.updated) == (0, 0)
        assert again.unchanged == report.rows_read
    finally:
        savepoint.rollback()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400))
def test_random_bytes_never_raise(db_session: Session, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(data)
    savepoint = db_session.begin_nested()
    try:
        report = import_roster(db_session, path, dry_run=True)
        assert not report.ok
        assert teacher_count(db_session) == 0
    finally:
        savepoint.rollback()
