"""Cells, headers and rows: every problem named by row and column, never by value."""

from __future__ import annotations

import pytest
from email_validator import validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from org.models import SchoolLevel
from org.roster import cells
from org.roster.cells import CellError
from org.roster.headers import HeaderError, header_key, map_headers
from org.roster.levels import infer_level, parse_level
from org.roster.reading import RawRow
from org.roster.report import ImportReport
from org.roster.rows import RosterRow, validate_rows
from tests.support.rosters import HEADER, teacher_row


def validate(*rows: list[str], header: list[str] = HEADER) -> tuple[list[RosterRow], ImportReport]:
    report = ImportReport()
    raw = [RawRow(n, list(r)) for n, r in enumerate(rows, start=2)]
    return validate_rows(raw, map_headers(header), report, 2026), report


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  王小明 ", "王小明"),
        ("ＧＺ０１２３", "GZ0123"),
        ("王\u200b小\u200d明\ufeff", "王小明"),
        ("第一\u3000\u3000小学", "第一 小学"),
        ("a\tb", "a b"),
    ],
)
def test_clean_normalises(raw: str, clean: str) -> None:
    assert cells.clean(raw, 100) == clean


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("a\x00b", "NUL"),
        ("a\nb", "LF"),
        ("a\rb", "CR"),
        ("abc\u202egpj", "bidirectional"),
        ("\u2066x\u2069", "bidirectional"),
        ('=HYPERLINK("x")', "formula"),
        ("＝1+1", "formula"),
        ("+86", "formula"),
        ("-1", "formula"),
        ("@SUM(A1)", "formula"),
        ("x" * 101, "longer than 100"),
        ("\ue000", "private-use"),
    ],
)
def test_clean_refuses_without_quoting(raw: str, reason: str) -> None:
    with pytest.raises(CellError, match=reason) as caught:
        cells.clean(raw, 100)
    assert raw not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("(0086)13800138000", "13800138000"),
    ],
)
def test_phone_forms(text: str, phone: str) -> None:
    assert cells.parse_phone(cells.clean(text, 32, formula_check=False)) == phone


@pytest.mark.parametrize("text", ["12800138000", "1380013800", "010-12345678", "1380013800x"])
def test_phone_rejects(text: str) -> None:
    with pytest.raises(CellError, match="mainland mobile"):
        cells.parse_phone(text)


@pytest.mark.parametrize(("text", "value"), [("男", "M"), ("F", "F"), ("female", "F"), ("m", "M")])
def test_gender(text: str, value: str) -> None:
    assert cells.parse_gender(text) == value


@pytest.mark.parametrize(
    ("text", "value"), [("是", True), ("否", False), ("YES", True), ("0", False), ("true", True)]
)
def test_booleans(text: str, value: bool) -> None:
    assert cells.parse_bool(text) is value


@pytest.mark.parametrize("text", ["NaN", "inf", "1e309", "9" * 400, "1985.5", "-1", "一九八五"])
def test_numbers_refuse_nan_huge_and_fractions(text: str) -> None:
    with pytest.raises(CellError, match="whole number"):
        cells.parse_int(text, 1930, 2010)


def test_numbers_accept_spreadsheet_forms() -> None:
    assert cells.parse_int("1985.0", 1930, 2010) == 1985
    assert cells.parse_int("1985年", 1930, 2010) == 1985


def test_email_reason_never_quotes_the_address() -> None:
    with pytest.raises(CellError) as caught:
        cells.parse_email("canary-mail@@x")
    assert "canary" not in str(caught.value)


@settings(max_examples=100, deadline=None)
@given(
    local=st.from_regex(r"[A-Za-z0-9._%+-]{1,70}", fullmatch=True),
    domain=st.sampled_from(
        ["example.cn", "School.Example.COM", "xn--fiqs8s.cn", "a..b", "-x.cn", "localhost"]
    ),
)
def test_email_shortcut_agrees_with_email_validator(local: str, domain: str) -> None:
    address = f"{local}@{domain}"
    try:
        expected: str | None = validate_email(address, check_deliverability=False).normalized
    except ValueError:
        expected = None
    try:
        got: str | None = cells.parse_email(address)
    except CellError:
        got = None
    assert got == expected


def test_headers_in_english_any_case_and_width() -> None:
    header = ["Staff_No", "ＮＡＭＥ", " School ", "district", "E-mail", "Notes"]
    mapping = map_headers(header)
    assert mapping.positions == {"staff_no": 0, "name": 1, "school": 2, "district": 3, "email": 4}
    assert mapping.unknown == (5,)
    assert header_key("出生\u200b年份") == "出生年份"


def test_missing_required_columns_are_named() -> None:
    with pytest.raises(HeaderError, match=r"工号 \(staff_no\).*区 \(district\)"):
        map_headers(["姓名", "学校"])


def test_repeated_column_is_refused() -> None:
    with pytest.raises(HeaderError, match="repeats"):
        map_headers(["工号", "姓名", "学校", "区", "staff no"])


def test_school_levels() -> None:
    assert parse_level("九年一贯制") is SchoolLevel.NINE_YEAR
    assert parse_level("Twelve Year") is SchoolLevel.TWELVE_YEAR
    assert infer_level("合成第一初级中学") is SchoolLevel.JUNIOR
    assert infer_level("合成培智学校") is SchoolLevel.SPECIAL
    assert infer_level("合成第二中学") is None  # 中学 alone may be junior, senior or both
    with pytest.raises(CellError):
        parse_level("大学")


def test_valid_rows_are_normalised() -> None:
    rows, report = validate(
        teacher_row(1, 工号=" ｔ００１ ", 手机="+86 138 0013 8000", 心理教师="是")
    )
    assert report.ok
    (row,) = rows
    assert (row.staff_no, row.phone, row.is_psychologist, row.gender) == (
        "T001",
        "13800138000",
        True,
        "M",
    )


def test_bad_cells_name_row_and_column_never_the_value() -> None:
    rows, report = validate(
        teacher_row(1),
        teacher_row(2, 手机="13900000000x", 性别="X", 姓名=""),
        teacher_row(3, 出生年份="2020", 教龄="5"),
    )
    assert [r.staff_no for r in rows] == ["T00001"]
    text = "\n".join(map(str, report.problems))
    assert "row 3, column H (手机 phone): must be a mainland mobile number" in text
    assert "row 3, column C (性别 gender)" in text
    assert "row 3, column B (姓名 name): is required" in text
    assert "row 4, column D (出生年份 birth_year)" in text
    assert "13900000000x" not in text and "T00002" not in text


def test_duplicate_staff_numbers_after_normalisation_name_the_first_row() -> None:
    _, report = validate(
        teacher_row(1, 工号="A12"),
        teacher_row(2),
        teacher_row(3, 工号="ａ１２"),
        teacher_row(4, 工号="A 12"),
    )
    assert [str(p) for p in report.problems] == [
        "row 4, column A (工号 staff_no): duplicate staff number, first in row 2",
        "row 5, column A (工号 staff_no): duplicate staff number, first in row 2",
    ]


def test_service_years_must_fit_the_age() -> None:
    _, report = validate(teacher_row(1, 出生年份="2000", 教龄="15"))
    assert "more than the teacher's age allows" in str(report.problems[0])


def test_blank_rows_are_skipped_and_stray_cells_reported() -> None:
    rows, report = validate(teacher_row(1), ["", "", ""], [*teacher_row(2), "", "stray"])
    assert len(rows) == 1
    assert [str(p) for p in report.problems] == [
        "row 4, column M: has a value but no header in row 1"
    ]
    assert report.rows_read == 2
