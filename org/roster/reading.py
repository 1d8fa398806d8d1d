"""Reading a roster file into rows of text: CSV (encoding detected strictly) or XLSX.

Encodings are recognised, never guessed: a byte-order mark decides UTF-8 and UTF-16; otherwise
the bytes must decode as UTF-8, or else as GB18030 (a superset of GBK, which is what Excel on
Chinese Windows writes). Anything else is refused with a clear message, so no mojibake name
ever reaches the vault.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 256 * 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class RosterFileError(ValueError):
    """The file as a whole cannot be read; the message says why without quoting its content."""


@dataclass(frozen=True)
class RawRow:
    """One data row: its spreadsheet row number, its cells as text, and cells unreadable as text."""

    number: int
    cells: list[str]
    faults: dict[int, str] = field(default_factory=dict)


@dataclass
class RawTable:
    """A header row and an iterator over the data rows below it."""

    kind: str
    header: list[str]
    rows: Iterator[RawRow]


def read_table(path: Path) -> RawTable:
    """Open ``path`` as CSV or XLSX (decided by content, not by name)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RosterFileError(f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
        data = path.read_bytes()
    except OSError as exc:
        raise RosterFileError(
            f"cannot read the file ({exc.strerror or type(exc).__name__})"
        ) from None
    if data.startswith(_ZIP_MAGIC):
        from org.roster.workbook import read_workbook

        return read_workbook(data)
    if data.startswith(_OLE_MAGIC):
        raise RosterFileError(
            "this is an old-style .xls workbook or a password-protected one: save it as .xlsx "
            "(without a password) or as CSV"
        )
    text, encoding = decode_text(data)
    return read_csv_text(text, f"CSV, {encoding}")


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes by BOM, then strict UTF-8, then strict GB18030; say which was used."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise RosterFileError("UTF-32 is not supported: save as UTF-8 or UTF-16")
    for bom, codec, name in (
        (codecs.BOM_UTF8, "utf-8", "UTF-8 with BOM"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), name
            except UnicodeDecodeError as exc:
                raise RosterFileError(f"invalid {name} at byte {exc.start + len(bom)}") from None
    if b"\x00" in data:
        raise RosterFileError(
            "the file holds NUL bytes: it is binary, or UTF-16 without a byte-order mark "
            "(save as UTF-8, GBK or UTF-16 with BOM)"
        )
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GBK/GB18030"
    except UnicodeDecodeError as exc:
        raise RosterFileError(
            f"the file is neither UTF-8 nor GBK/GB18030 (undecodable byte at offset {exc.start}); "
            "save it as UTF-8"
        ) from None


def read_csv_text(text: str, kind: str) -> RawTable:
    """Split decoded CSV text into the header and data rows (comma- or tab-separated)."""
    first_line = text.split("\n", 1)[0]
    # Excel's "Unicode text" export is tab-separated UTF-16; everything else here uses commas.
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise RosterFileError("the file is empty") from None
    except csv.Error as exc:
        raise RosterFileError(f"row 1 is not valid CSV ({_csv_reason(exc)})") from None
    return RawTable(kind, header, _csv_rows(reader))


def _csv_rows(reader: Iterator[list[str]]) -> Iterator[RawRow]:
    number = 1
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # A broken quote swallows the rest of the file: report where, and stop.
            raise RosterFileError(f"row {number} is not valid CSV ({_csv_reason(exc)})") from None
        yield RawRow(number, cells)


def _csv_reason(exc: csv.Error) -> str:
    # csv's messages describe structure ("unexpected end of data"), never cell content.
    message = str(exc)
    return "a cell is too long" if "field larger" in message else message
