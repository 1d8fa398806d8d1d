"""A school's level (学段): from the 学段 column when given, else from an unambiguous name.

Analysts compare by school level, so a school should have one; but a wrong level is worse than
none. Without a 学段 value, a level is inferred only from names that say it outright (…小学,
…初级中学, …九年一贯制学校); a plain …中学 may be junior, senior or both and stays unset.
"""

from __future__ import annotations

from org.models import SchoolLevel
from org.roster.cells import CellError

LEVEL_NAMES: dict[str, SchoolLevel] = {
    "小学": SchoolLevel.PRIMARY,
    "primary": SchoolLevel.PRIMARY,
    "初中": SchoolLevel.JUNIOR,
    "初级中学": SchoolLevel.JUNIOR,
    "junior": SchoolLevel.JUNIOR,
    "高中": SchoolLevel.SENIOR,
    "高级中学": SchoolLevel.SENIOR,
    "senior": SchoolLevel.SENIOR,
    "九年一贯制": SchoolLevel.NINE_YEAR,
    "nine_year": SchoolLevel.NINE_YEAR,
    "nine-year": SchoolLevel.NINE_YEAR,
    "十二年一贯制": SchoolLevel.TWELVE_YEAR,
    "twelve_year": SchoolLevel.TWELVE_YEAR,
    "twelve-year": SchoolLevel.TWELVE_YEAR,
    "特殊教育": SchoolLevel.SPECIAL,
    "特教": SchoolLevel.SPECIAL,
    "special": SchoolLevel.SPECIAL,
}

# Checked in order: the longer, more specific markers first.
_NAME_MARKERS: tuple[tuple[str, SchoolLevel], ...] = (
    ("十二年一贯制", SchoolLevel.TWELVE_YEAR),
    ("九年一贯制", SchoolLevel.NINE_YEAR),
    ("特殊教育", SchoolLevel.SPECIAL),
    ("培智", SchoolLevel.SPECIAL),
    ("启智", SchoolLevel.SPECIAL),
    ("聋哑", SchoolLevel.SPECIAL),
    ("盲校", SchoolLevel.SPECIAL),
    ("初级中学", SchoolLevel.JUNIOR),
    ("高级中学", SchoolLevel.SENIOR),
    ("小学", SchoolLevel.PRIMARY),
)


def parse_level(text: str) -> SchoolLevel:
    """A 学段 cell: 小学/初中/高中/九年一贯制/十二年一贯制/特殊教育 or the English value."""
    level = LEVEL_NAMES.get(text.casefold().replace(" ", "_"))
    if level is None:
        raise CellError("must be 小学, 初中, 高中, 九年一贯制, 十二年一贯制 or 特殊教育")
    return level


def infer_level(school_name: str) -> SchoolLevel | None:
    """The level a school's name states unambiguously, or None."""
    for marker, level in _NAME_MARKERS:
        if marker in school_name:
            return level
    return None
