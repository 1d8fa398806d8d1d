"""Planning districts and schools: matched by name, created when new, level and campus settled."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from org.models import District, School, SchoolLevel
from org.roster.levels import infer_level
from org.roster.report import ImportReport
from org.roster.rows import RosterRow

if TYPE_CHECKING:
    from org.roster.plan import ImportPlan

SchoolKey = tuple[str, str]
"""(district name key, school name key)."""

_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """How district and school names are compared: NFKC, single spaces, case-folded."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def plan_schools(
    session: Session, rows: list[RosterRow], plan: ImportPlan, report: ImportReport
) -> None:
    """Fill the plan's districts and schools from the rows; disagreeing rows go to ``report``."""
    names = session.execute(
        select(School.id, District.name, School.name, School.level, School.campus).join(District)
    )
    current: dict[SchoolKey, tuple[int, SchoolLevel | None, str | None]] = {}
    for school_id, district, school, level, campus in names:
        current[(name_key(district), name_key(school))] = (school_id, level, campus)
        plan.school_ids[(name_key(district), name_key(school))] = school_id
    facts = _school_facts(rows, report)
    inferred = unset = 0
    for key, (row, level, campus) in facts.items():
        if key[0] not in plan.district_ids:
            plan.new_districts.setdefault(key[0], row.district)
        if key in current:
            school_id, old_level, old_campus = current[key]
            new_level = level or old_level
            new_campus = campus or old_campus
            if (new_level, new_campus) != (old_level, old_campus):
                plan.school_updates[school_id] = (new_level, new_campus)
            continue
        if level is None:
            level = infer_level(row.school)
            inferred += level is not None
            unset += level is None
        plan.new_schools[key] = (row.district, row.school, level, campus)
    _note_levels(report, inferred, unset)


def _school_facts(
    rows: list[RosterRow], report: ImportReport
) -> dict[SchoolKey, tuple[RosterRow, SchoolLevel | None, str | None]]:
    # Level and campus belong to the school: every row of one school must agree on them.
    facts: dict[SchoolKey, tuple[RosterRow, SchoolLevel | None, str | None]] = {}
    for row in rows:
        key = (name_key(row.district), name_key(row.school))
        first, level, campus = facts.get(key, (row, None, None))
        if row.school_level and level and row.school_level != level:
            report.add(row.number, "学段 (school_level)", f"differs from row {first.number}")
        elif row.campus and campus and name_key(row.campus) != name_key(campus):
            report.add(row.number, "校区 (campus)", f"differs from row {first.number}")
        facts[key] = (first, level or row.school_level, campus or row.campus)
    return facts


def _note_levels(report: ImportReport, inferred: int, unset: int) -> None:
    if inferred:
        report.notices.append(
            f"{inferred} new school(s) got their level (学段) from a name that states it"
        )
    if unset:
        report.notices.append(
            f"{unset} new school(s) have no level (学段): add a 学段 column to set it"
        )
