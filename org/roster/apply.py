"""Writing an import plan: districts and schools through the ORM, teachers in bulk.

Teacher ids are made before insert so each ciphertext can be bound to its row; new rows are
sealed in chunks (in parallel for a large roster) and sent with ``executemany``, which is what
lets a city's roster import in seconds. Only flushes: the caller commits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.orm import Session

from db.bulk import insert_rows, roomy_cache
from org.models import SEALED_TEACHER_FIELDS, District, School, Teacher
from org.roster.parallel import chunks, map_chunks
from org.roster.plan import ImportPlan
from org.roster.rows import RosterRow
from privacy.lookup import lookup_index, pseudonym
from privacy.vault import key_ring, seal_row

CHUNK = 2000
_TEACHERS: Table = Teacher.__table__  # type: ignore[assignment]

ROSTER_KEYS = (
    *SEALED_TEACHER_FIELDS,
    "school_id",
    "staff_no_index",
    "phone_index",
    "roster_digest",
)
NEW_KEYS = ("id", "pseudonym", *ROSTER_KEYS)

# What a worker needs to seal one teacher: row, staff-number index, digest, school id, row id.
SealJob = tuple[RosterRow, bytes, bytes, int, uuid.UUID]


def apply_plan(session: Session, plan: ImportPlan, *, deactivate: bool, now: dt.datetime) -> None:
    """Write everything the plan holds (deactivating the missing only when asked), then flush."""
    _write_places(session, plan)
    new: list[SealJob] = []
    changed: list[SealJob] = []
    for change in plan.changes:
        school_id = plan.school_ids[change.school]
        old = change.existing
        job = (change.row, change.index, change.digest, school_id, old.id if old else uuid.uuid4())
        (changed if old else new).append(job)
    # In id order, the primary key index grows at its end instead of splitting pages at random.
    new.sort(key=lambda job: job[4].int)
    constants = {"is_active": True, "created_at": now, "updated_at": now}
    with roomy_cache(session):
        for sealed in map_chunks(seal_new, new, CHUNK):
            insert_rows(session, _TEACHERS, NEW_KEYS, sealed, constants)
    update_stmt = update(_TEACHERS).where(_TEACHERS.c.id == bindparam("b_id"))
    for chunk in chunks(changed, CHUNK):
        rows = [
            {**dict(zip(ROSTER_KEYS, roster_columns(job), strict=True)), "b_id": job[4]}
            | {"is_active": True, "updated_at": now}
            for job in chunk
        ]
        session.execute(update_stmt, rows)
    _set_active(session, plan.reactivate, is_active=True, now=now)
    if deactivate:
        _set_active(session, [t.id for t in plan.missing], is_active=False, now=now)
    session.flush()


def _write_places(session: Session, plan: ImportPlan) -> None:
    districts = {key: District(name=name) for key, name in plan.new_districts.items()}
    session.add_all(districts.values())
    session.flush()
    plan.district_ids.update({key: d.id for key, d in districts.items()})
    schools = {
        key: School(district_id=plan.district_ids[key[0]], name=name, level=level, campus=campus)
        for key, (_district, name, level, campus) in plan.new_schools.items()
    }
    session.add_all(schools.values())
    for school_id, (level, campus) in plan.school_updates.items():
        school = session.get_one(School, school_id)
        school.level, school.campus = level, campus
    session.flush()
    plan.school_ids.update({key: s.id for key, s in schools.items()})


def roster_columns(job: SealJob) -> list[Any]:
    """The values of ``ROSTER_KEYS`` for one teacher: sealed fields, indexes and digest."""
    row, index, digest, school_id, row_id = job
    where = str(row_id)  # formatted once: the binding is the same text for every cell of the row
    values = seal_row("teachers", where, [(f, getattr(row, f)) for f in SEALED_TEACHER_FIELDS])
    phone_index = lookup_index(key_ring(), "phone", row.phone) if row.phone else None
    return [*values, school_id, index, phone_index, digest]


def seal_new(jobs: list[SealJob]) -> list[tuple[Any, ...]]:
    """Rows of ``NEW_KEYS`` for new teachers (in worker processes for a large import)."""
    ring = key_ring()
    return [(job[4], pseudonym(ring, job[4]), *roster_columns(job)) for job in jobs]


def _set_active(
    session: Session, ids: Sequence[uuid.UUID], *, is_active: bool, now: dt.datetime
) -> None:
    for chunk in chunks(list(ids), 500):
        session.execute(
            update(_TEACHERS)
            .where(_TEACHERS.c.id.in_(chunk))
            .values(is_active=is_active, updated_at=now)
        )
