"""Reading roster files: encodings recognised strictly, XLSX without evaluating formulas."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from org.roster.reading import RosterFileError, read_table
from tests.support.rosters import HEADER, csv_bytes, teacher_row, write_xlsx

ROWS = [teacher_row(1, 姓名="王小明"), teacher_row(2, 姓名="李华")]


@pytest.mark.parametrize(
    ("encoding", "kind"),
    [
        ("utf-8", "CSV, UTF-8"),
        ("utf-8-sig", "CSV, UTF-8 with BOM"),
        ("gbk", "CSV, GBK/GB18030"),
        ("gb18030", "CSV, GBK/GB18030"),
    ],
)
def test_csv_encodings_are_recognised(tmp_path: Path, encoding: str, kind: str) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes(ROWS, encoding))
    table = read_table(path)
    assert table.kind == kind
    assert table.header == HEADER
    rows = list(table.rows)
    assert [r.number for r in rows] == [2, 3]
    assert rows[0].cells[1] == "王小明"


@pytest.mark.parametrize(
    ("bom", "codec"), [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
)
def test_utf16_with_bom_and_tabs_as_excel_unicode_text_saves_it(
    tmp_path: Path, bom: bytes, codec: str
) -> None:
    text = "\r\n".join("\t".join(r) for r in [HEADER, *ROWS]) + "\r\n"
    path = tmp_path / "r.txt"
    path.write_bytes(bom + text.encode(codec))
    table = read_table(path)
    assert table.header == HEADER
    assert list(table.rows)[1].cells[1] == "李华"


def test_utf16_without_bom_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes(ROWS, "utf-16-le"))
    with pytest.raises(RosterFileError, match="UTF-16 without a byte-order mark"):
        read_table(path)


def test_bytes_neither_utf8_nor_gb18030_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes([]) + b"\xff\xfe\xff,\x80\n")
    with pytest.raises(RosterFileError, match="neither UTF-8 nor GBK"):
        read_table(path)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old-style .xls"),
        (b"PK\x03\x04not really a zip", "not a readable XLSX"),
        (codecs.BOM_UTF32_LE + b"x", "UTF-32"),
    ],
)
def test_unusable_files_get_a_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(data)
    with pytest.raises(RosterFileError, match=reason):
        read_table(path)


def test_broken_quote_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes([teacher_row(1)]) + b'T2,"unterminated\n')
    table = read_table(path)
    with pytest.raises(RosterFileError, match="row 3 is not valid CSV"):
        list(table.rows)


def test_quoted_newline_is_one_spreadsheet_row(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes([teacher_row(1, 姓名="a\nb"), teacher_row(2)]))
    assert [r.number for r in read_table(path).rows] == [2, 3]


def test_xlsx_numbers_become_text_and_formulas_are_faults(tmp_path: Path) -> None:
    row = teacher_row(1)
    row[0] = 1024  # type: ignore[call-overload]
    row[7] = 13800138000  # type: ignore[call-overload]
    row[3] = "=1900+85"
    path = write_xlsx(tmp_path / "r.xlsx", [row])
    table = read_table(path)
    assert table.kind == "XLSX, first sheet"
    (raw,) = list(table.rows)
    assert raw.number == 2
    assert raw.cells[0] == "1024"
    assert raw.cells[7] == "13800138000"
    assert "formula" in raw.faults[3]
