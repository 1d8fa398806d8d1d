"""Schools and teachers: ``make_teacher(session, school=..., **overrides)``."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from org.models import District, School, SchoolLevel, Teacher
from privacy.lookup import lookup_index, pseudonym
from privacy.vault import key_ring

_numbers = itertools.count(1)


def make_school(session: Session, name: str = "示例小学", district: str = "示例区") -> School:
    """The school of that name in that district, created (with the district) when missing."""
    found = session.query(District).filter_by(name=district).one_or_none()
    if found is not None:
        existing = session.query(School).filter_by(district_id=found.id, name=name).one_or_none()
        if existing is not None:
            return existing
    school = School(name=name, level=SchoolLevel.PRIMARY, district=found or District(name=district))
    session.add(school)
    session.flush()
    return school


def make_teacher(session: Session, school: School | None = None, **overrides: Any) -> Teacher:
    """A teacher with synthetic sealed fields; any field can be overridden."""
    n = next(_numbers)
    values: dict[str, Any] = {
        "staff_no": f"T{n:06d}",
        "name": f"测试教师{n}",
        "gender": "F",
        "birth_year": 1985,
        "years_of_service": 12,
        "subject": "语文",
        "is_psychologist": False,
        # Ending in 00: never a test's PIN (a PIN holding the phone ending is refused).
        "phone": f"139{n:06d}00",
        "email": f"t{n}@example.edu.cn",
    }
    values.update(overrides)
    teacher = Teacher(school=school or make_school(session))
    for field, value in values.items():
        setattr(teacher, field, value)
    ring = key_ring()
    teacher.pseudonym = pseudonym(ring, teacher.id)
    teacher.staff_no_index = lookup_index(ring, "staff_no", values["staff_no"])
    teacher.phone_index = lookup_index(ring, "phone", values["phone"])
    teacher.roster_digest = b"\0" * 32
    session.add(teacher)
    session.flush()
    return teacher


def seed_schools(session: Session, per_school: int = 3) -> dict[str, list[Teacher]]:
    """Two districts, three schools, ``per_school`` teachers each; returns teachers by school."""
    found: dict[str, list[Teacher]] = {}
    for district, school in (("东区", "东一小"), ("东区", "东二中"), ("西区", "西一小")):
        place = make_school(session, name=school, district=district)
        found[school] = [make_teacher(session, place) for _ in range(per_school)]
    return found
