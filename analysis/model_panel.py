"""The released census as the second reader's panel: one row per teacher-wave.

Rows are submitted responses of released waves that were not withdrawn and whose teacher did not
opt out of the second reader at that wave (PIPL art. 24). A teacher is followed across waves by
the response pseudonym. The features are the decrypted answers (``ANALYSIS_BATTERY`` order),
the school's stage (``SCHOOL_LEVEL_CODES``: the roster's six levels on the model's three) and
the years-of-service band from the sealed roster field; never a name, a school or a district.
Gender, age band, district and school level are kept beside the panel, for the fairness tables
of an evaluation only.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from census.models import Invitation, Response, Wave, WaveState
from instruments import instruments_by_id
from org.models import School, SchoolLevel, Teacher
from scoring.levels import RiskLevel
from scoring.risk_model import Panel, years_band
from scoring.teacher_lines import ANALYSIS_BATTERY

# Roster school level -> the model's coarse stage code (``scoring.risk_model.features``:
# SCHOOL_LEVELS = 3, codes 0 primary, 1 junior secondary, 2 senior secondary, -1 unknown). A
# through school (九年一贯制, 十二年一贯制) counts as the highest stage it teaches: the stage
# that ends in an entrance examination (中考, 高考) sets much of a school's load. Special
# education has no place on that scale and shares the unknown column with an unset level.
SCHOOL_LEVEL_CODES: Mapping[SchoolLevel, int] = MappingProxyType(
    {
        SchoolLevel.PRIMARY: 0,
        SchoolLevel.JUNIOR: 1,
        SchoolLevel.SENIOR: 2,
        SchoolLevel.NINE_YEAR: 1,
        SchoolLevel.TWELVE_YEAR: 2,
        SchoolLevel.SPECIAL: -1,
    }
)
# Age bands of the fairness tables: lower bounds, as the report's age dimension cuts them.
AGE_BANDS = ((0, "< 30"), (30, "30–39"), (40, "40–49"), (50, "≥ 50"))
UNKNOWN = "unknown"


@dataclass(frozen=True)
class PanelRows:
    """The panel, and for each of its rows the response, its wave, level and fairness groups."""

    panel: Panel
    response_ids: list[uuid.UUID]
    wave_ids: np.ndarray  # (n,) int: the census wave id of each row
    levels: list[RiskLevel | None]
    groups: dict[str, np.ndarray]  # "gender", "age_band", "district", "school_level" -> (n,) str

    def rows_of_wave(self, wave_id: int) -> np.ndarray:
        """Indices of the rows that answered wave ``wave_id``."""
        return np.flatnonzero(self.wave_ids == wave_id)


@cache
def item_columns() -> dict[str, int]:
    """Item id -> its column in ``ANALYSIS_BATTERY`` order (60 columns)."""
    known = instruments_by_id()
    ids = [item.id for inst in ANALYSIS_BATTERY for item in known[inst].items]
    return {item_id: column for column, item_id in enumerate(ids)}


def answer_row(answers_json: str | None) -> np.ndarray:
    """One response's answers as a (60,) row, NaN for an item not answered or not asked."""
    columns = item_columns()
    row = np.full(len(columns), np.nan)
    for item_id, value in json.loads(answers_json or "{}").items():
        if item_id in columns and value is not None:
            row[columns[item_id]] = float(value)
    return row


def released_waves(session: Session, up_to: Wave | None = None) -> list[Wave]:
    """Released waves in release order, up to and including ``up_to``."""
    stmt = select(Wave).where(Wave.state == WaveState.RELEASED)
    if up_to is not None and up_to.released_at is not None:
        stmt = stmt.where(Wave.released_at <= up_to.released_at)
    waves = session.scalars(stmt).all()
    return sorted(
        waves, key=lambda w: (w.released_at or dt.datetime.min.replace(tzinfo=dt.UTC), w.id)
    )


def released_panel(session: Session, up_to: Wave | None = None) -> PanelRows:
    """The panel of every released wave (up to ``up_to``), rows in wave then pseudonym order."""
    waves = released_waves(session, up_to)
    ordinal = {wave.id: n for n, wave in enumerate(waves, start=1)}
    released = {wave.id: wave for wave in waves}
    stmt = (
        select(Response, Invitation.teacher_id, School.level, School.district_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(School, School.id == Response.school_id)
        .where(
            Response.wave_id.in_(list(ordinal)),
            Response.submitted_at.is_not(None),
            Response.withdrawn_at.is_(None),
            Response.answers_sealed.is_not(None),
            Invitation.model_opt_out_at.is_(None),
        )
        .order_by(Response.wave_id, Response.pseudonym)
    )
    found = session.execute(stmt).all()
    teachers = _teachers(session, [row.teacher_id for row in found])
    found = sorted(found, key=lambda row: (ordinal[row.Response.wave_id], row.Response.pseudonym))
    n = len(found)
    answers = np.full((n, len(item_columns())), np.nan)
    school_level, years, gender, age, district, level_name = [], [], [], [], [], []
    for i, row in enumerate(found):
        response, teacher = row.Response, teachers.get(row.teacher_id)
        answers[i] = answer_row(response.answers)
        school_level.append(SCHOOL_LEVEL_CODES[row.level] if row.level else -1)
        service = teacher.years_of_service if teacher is not None else None
        years.append(years_band(service) if service is not None else -1)
        gender.append((teacher.gender if teacher is not None else None) or UNKNOWN)
        age.append(_age_band(teacher, released[response.wave_id]))
        district.append(str(row.district_id))
        level_name.append(row.level.value if row.level else UNKNOWN)
    responses = [row.Response for row in found]
    panel = Panel(
        ids=np.array([r.pseudonym for r in responses], dtype=object),
        wave=np.array([ordinal[r.wave_id] for r in responses], dtype=np.int64),
        answers=answers,
        school_level=np.array(school_level, dtype=np.int64),
        years_band=np.array(years, dtype=np.int64),
    )
    return PanelRows(
        panel=panel,
        response_ids=[r.id for r in responses],
        wave_ids=np.array([r.wave_id for r in responses], dtype=np.int64),
        levels=[r.risk_level for r in responses],
        groups={
            "gender": np.array(gender, dtype=object),
            "age_band": np.array(age, dtype=object),
            "district": np.array(district, dtype=object),
            "school_level": np.array(level_name, dtype=object),
        },
    )


def _teachers(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Teacher]:
    if not ids:
        return {}
    found = session.scalars(select(Teacher).where(Teacher.id.in_(sorted(set(ids)))))
    return {teacher.id: teacher for teacher in found}


def _age_band(teacher: Teacher | None, wave: Wave) -> str:
    born = teacher.birth_year if teacher is not None else None
    if born is None or wave.released_at is None:
        return UNKNOWN
    age = wave.released_at.year - born
    label = UNKNOWN
    for low, name in AGE_BANDS:
        if age >= low:
            label = name
    return label
