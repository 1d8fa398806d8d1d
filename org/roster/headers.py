"""The roster's columns: accepted header names (Chinese or English) and mapping a header row."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

# Field name -> accepted headers. The first Chinese and the field name itself are canonical;
# the rest are spellings seen in real exports. Compared after ``header_key``.
ALIASES: dict[str, tuple[str, ...]] = {
    "staff_no": ("工号", "教工号", "职工号", "staff no", "staff number", "employee no"),
    "name": ("姓名", "name", "full name"),
    "gender": ("性别", "gender", "sex"),
    "birth_year": ("出生年份", "出生年", "birth year", "year of birth"),
    "years_of_service": ("教龄", "years of service", "teaching years"),
    "subject": ("学科", "任教学科", "subject"),
    "is_psychologist": ("心理教师", "是否心理教师", "is psychologist", "psychologist"),
    "phone": ("手机", "手机号", "手机号码", "phone", "mobile", "mobile phone"),
    "email": ("邮箱", "电子邮箱", "email", "e-mail", "email address"),
    "school": ("学校", "学校名称", "school", "school name"),
    "district": ("区", "区县", "所属区", "district"),
    "school_level": ("学段", "school level", "level"),
    "campus": ("校区", "campus"),
}
REQUIRED = ("staff_no", "name", "school", "district")
CHINESE = {field: names[0] for field, names in ALIASES.items()}
# The standard roster's columns (all but the optional level and campus), in order, in Chinese.
STANDARD_HEADER = [CHINESE[field] for field in ALIASES if field not in ("school_level", "campus")]


def header_key(text: str) -> str:
    """NFKC, case-folded, without spaces, underscores, hyphens, dots or invisible characters."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(
        ch
        for ch in folded
        if not ch.isspace() and ch not in "_-." and unicodedata.category(ch) != "Cf"
    )


_LOOKUP = {header_key(alias): f for f, names in ALIASES.items() for alias in (f, *names)}


def column_label(field: str, index: int) -> str:
    """How a report names a column, e.g. ``column H (手机 phone)``."""
    return f"column {get_column_letter(index + 1)} ({CHINESE[field]} {field})"


@dataclass(frozen=True)
class HeaderMap:
    """Where each known field sits in the row, and which header cells were not recognised."""

    positions: dict[str, int]
    unknown: tuple[int, ...]
    width: int

    def label(self, field: str) -> str:
        """The report label of a mapped field's column."""
        return column_label(field, self.positions[field])


class HeaderError(ValueError):
    """The header row cannot be used; the message names columns by field, never by cell value."""


def map_headers(cells: list[str]) -> HeaderMap:
    """Map a header row to fields; missing required or repeated columns are a HeaderError."""
    positions: dict[str, int] = {}
    unknown: list[int] = []
    for index, text in enumerate(cells):
        key = header_key(text)
        if not key:
            continue
        field = _LOOKUP.get(key)
        if field is None:
            unknown.append(index)
        elif field in positions:
            first = get_column_letter(positions[field] + 1)
            raise HeaderError(
                f"{column_label(field, index)} repeats the column already in column {first}"
            )
        else:
            positions[field] = index
    missing = [f"{CHINESE[f]} ({f})" for f in REQUIRED if f not in positions]
    if missing:
        raise HeaderError(
            "required column(s) missing from the header row (row 1): " + ", ".join(missing)
        )
    return HeaderMap(positions, tuple(unknown), len(cells))
