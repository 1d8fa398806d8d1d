"""Deciding what an import will do, reading but never writing (so a dry run is exact).

Teachers are matched by the keyed staff-number index; a row whose keyed digest and school are
unchanged is skipped without decrypting anything. Districts and schools are matched by name.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from org.models import District, School, SchoolLevel, Teacher
from org.roster.report import ImportReport
from org.roster.rows import RosterRow
from org.roster.schools import SchoolKey, name_key, plan_schools
from privacy.keys import KeyRing
from privacy.lookup import lookup_index, record_digest


@dataclass(frozen=True, slots=True)
class Existing:
    """The plain-text columns of a teacher already on the roster."""

    id: uuid.UUID
    pseudonym: str
    school_id: int
    digest: bytes
    is_active: bool


@dataclass
class TeacherChange:
    """One row to write: a new teacher (``existing`` None) or an update of one."""

    row: RosterRow
    index: bytes
    digest: bytes
    school: SchoolKey
    existing: Existing | None = None


@dataclass
class ImportPlan:
    """Everything an import would write."""

    changes: list[TeacherChange] = field(default_factory=list)
    reactivate: list[uuid.UUID] = field(default_factory=list)
    missing: list[Existing] = field(default_factory=list)
    new_districts: dict[str, str] = field(default_factory=dict)
    new_schools: dict[SchoolKey, tuple[str, str, SchoolLevel | None, str | None]] = field(
        default_factory=dict
    )
    school_updates: dict[int, tuple[SchoolLevel | None, str | None]] = field(default_factory=dict)
    school_ids: dict[SchoolKey, int] = field(default_factory=dict)
    district_ids: dict[str, int] = field(default_factory=dict)


def roster_digest(ring: KeyRing, row: RosterRow) -> bytes:
    """The keyed digest of everything the roster says about one teacher."""
    values = (
        row.staff_no, row.name, row.gender, row.birth_year, row.years_of_service, row.subject,
        row.is_psychologist, row.phone, row.email, name_key(row.district), name_key(row.school),
    )  # fmt: skip
    return record_digest(ring, "roster", values)


def plan_import(
    session: Session, rows: list[RosterRow], ring: KeyRing, report: ImportReport
) -> ImportPlan:
    """Classify every row against the database; school conflicts are added to ``report``."""
    plan = ImportPlan()
    districts = session.execute(select(District.id, District.name))
    plan.district_ids = {name_key(name): district_id for district_id, name in districts}
    plan_schools(session, rows, plan, report)
    existing = _load_teachers(session)
    seen: set[bytes] = set()
    for row in rows:
        index = lookup_index(ring, "staff_no", row.staff_no)
        seen.add(index)
        key = (name_key(row.district), name_key(row.school))
        change = TeacherChange(row, index, roster_digest(ring, row), key, existing.get(index))
        _classify(change, plan)
    covered = {plan.district_ids.get(name_key(row.district)) for row in rows}
    _find_missing(session, plan, existing, seen, covered)
    return plan


def _classify(change: TeacherChange, plan: ImportPlan) -> None:
    old = change.existing
    same_school = old is not None and old.school_id == plan.school_ids.get(change.school)
    if old is None or old.digest != change.digest or not same_school:
        plan.changes.append(change)
    elif not old.is_active:
        plan.reactivate.append(old.id)


def _load_teachers(session: Session) -> dict[bytes, Existing]:
    # One query over plain-text columns only: no ciphertext is read or opened.
    query = select(
        Teacher.staff_no_index, Teacher.id, Teacher.pseudonym, Teacher.school_id,
        Teacher.roster_digest, Teacher.is_active,
    )  # fmt: skip
    return {
        bytes(index): Existing(tid, pseudo, school, bytes(digest), bool(active))
        for index, tid, pseudo, school, digest, active in session.execute(query)
    }


def _find_missing(
    session: Session,
    plan: ImportPlan,
    existing: dict[bytes, Existing],
    seen: set[bytes],
    covered: set[int | None],
) -> None:
    # Only districts this file covers: a district's own file must not orphan the rest of the city.
    schools = session.execute(select(School.id, School.district_id))
    school_district = {school_id: district_id for school_id, district_id in schools}
    plan.missing = sorted(
        (
            t
            for index, t in existing.items()
            if t.is_active and index not in seen and school_district.get(t.school_id) in covered
        ),
        key=lambda t: t.pseudonym,
    )
