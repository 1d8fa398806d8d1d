"""Who a wave reaches: the active teachers of its city, districts or schools."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from census.models import Wave
from org.models import District, School, Teacher
from survey.waves.rules import WaveError


@dataclass(frozen=True)
class Unit:
    """One part of a population as an administrator picks it: the city, a district or a school."""

    district_id: int | None = None
    school_id: int | None = None

    @classmethod
    def parse(cls, text: str) -> Unit:
        """From ``city``, ``district:ID`` or ``school:ID``."""
        kind, _, ident = text.strip().partition(":")
        if kind == "city" and not ident:
            return cls()
        if kind in ("district", "school") and ident.isdigit():
            return cls(district_id=int(ident)) if kind == "district" else cls(school_id=int(ident))
        raise WaveError(
            "范围应为 city、district:ID 或 school:ID / use city, district:ID or school:ID"
        )

    def label(self) -> str:
        """The same text form ``parse`` reads."""
        if self.school_id is not None:
            return f"school:{self.school_id}"
        return f"district:{self.district_id}" if self.district_id is not None else "city"


def check_units(session: Session, units: list[Unit]) -> list[Unit]:
    """The units without repeats, once every district and school named exists."""
    if not units:
        raise WaveError("请选择对象范围 / choose the population (city, districts or schools)")
    for unit in units:
        if unit.district_id is not None and session.get(District, unit.district_id) is None:
            raise WaveError(f"区不存在 / no district {unit.district_id}")
        if unit.school_id is not None and session.get(School, unit.school_id) is None:
            raise WaveError(f"学校不存在 / no school {unit.school_id}")
    return list(dict.fromkeys(units))


def school_condition(wave: Wave) -> ColumnElement[bool]:
    """A condition on ``School`` selecting the schools in the wave's population."""
    parts: list[ColumnElement[bool]] = []
    for unit in wave.units:
        if unit.school_id is not None:
            parts.append(School.id == unit.school_id)
        elif unit.district_id is not None:
            parts.append(School.district_id == unit.district_id)
        else:
            return true()
    return or_(*parts) if parts else false()


def active_teachers(session: Session, wave: Wave) -> list[tuple[uuid.UUID, int]]:
    """(teacher id, school id) of every active teacher in the population."""
    query = (
        select(Teacher.id, Teacher.school_id)
        .join(School, School.id == Teacher.school_id)
        .where(Teacher.is_active.is_(True), school_condition(wave))
    )
    return [(row[0], int(row[1])) for row in session.execute(query)]
