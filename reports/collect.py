"""Read one wave's respondents and invitations, decrypting only what the release needs.

Respondents are submitted responses whose consent was not withdrawn. Their teachers' sealed
demographics and their sealed scores are opened here, turned into group codes and score arrays,
and dropped: nothing row-level leaves this module.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from org.models import District, School, Teacher
from privacy.vault import open_cell
from reports.build import Microdata
from reports.dimensions import (
    AGE_BANDS,
    SERVICE_BANDS,
    band_of,
    fixed_dimensions,
    gender_of,
    level_of,
    subject_of,
)
from reports.scales import report_scales
from survey.models import Invitation, InvitationStatus, Response, Wave

_DEMOGRAPHICS = ("gender", "birth_year", "years_of_service", "subject")


def _schools(session: Session) -> tuple[dict[int, tuple[int, int]], tuple[str, ...]]:
    """School id → (district index, level index), and the district names in order."""
    districts = session.execute(select(District.id, District.name).order_by(District.name)).all()
    index = {d.id: i for i, d in enumerate(districts)}
    schools = session.execute(select(School.id, School.district_id, School.level)).all()
    places = {
        s.id: (index[s.district_id], level_of(s.level.value if s.level else None)) for s in schools
    }
    return places, tuple(d.name for d in districts)


def _int(text: str | None) -> int | None:
    return int(text) if text not in (None, "") else None


def _invitations(
    session: Session, wave: Wave, places: dict[int, tuple[int, int]], sizes: tuple[int, int]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    consented = Invitation.consented_at.is_not(None) & (
        Invitation.status != InvitationStatus.WITHDRAWN
    )
    rows = session.execute(
        select(Invitation.school_id, func.count(), func.count().filter(consented))
        .where(Invitation.wave_id == wave.id)
        .group_by(Invitation.school_id)
    ).all()
    invited = {"district": np.zeros(sizes[0], np.int64), "level": np.zeros(sizes[1], np.int64)}
    agreed = {"district": np.zeros(sizes[0], np.int64), "level": np.zeros(sizes[1], np.int64)}
    for school_id, n_invited, n_consented in rows:
        d, lv = places[school_id]
        invited["district"][d] += n_invited
        invited["level"][lv] += n_invited
        agreed["district"][d] += n_consented
        agreed["level"][lv] += n_consented
    return invited, agreed


def load_microdata(session: Session, wave: Wave) -> Microdata:
    """The wave's respondents as group codes and score arrays, and its invitation counts."""
    places, district_names = _schools(session)
    dims = fixed_dimensions(district_names)
    year = (wave.closes_at or dt.datetime.now(dt.UTC)).year
    rows = session.execute(
        select(Response.id, Response.school_id, Response.scores_sealed, Teacher.id,
               Teacher.gender_sealed, Teacher.birth_year_sealed,
               Teacher.years_of_service_sealed, Teacher.subject_sealed)
        .join(Teacher, Teacher.pseudonym == Response.pseudonym)
        .where(Response.wave_id == wave.id, Response.submitted_at.is_not(None),
               Response.withdrawn_at.is_(None))
        .order_by(Response.id)
    ).all()  # fmt: skip
    scales = [s for s in report_scales() if s.instrument in wave.battery]
    codes = {d.id: np.zeros(len(rows), np.int64) for d in dims}
    scores = {s.key: np.full(len(rows), np.nan) for s in scales}
    for i, row in enumerate(rows):
        _code_row(i, row, places, year, codes, scores, scales)
    sizes = (len(dims[0].labels), len(dims[1].labels))
    invited, consented = _invitations(session, wave, places, sizes)
    return Microdata(dims, codes, scores, invited, consented)


def _code_row(i, row, places, year, codes, scores, scales) -> None:  # type: ignore[no-untyped-def]
    (rid, school_id, sealed, tid, g, by, ys, sub) = row
    gender, birth, service, subject = (
        open_cell("teachers", name, tid, cell)
        for name, cell in zip(_DEMOGRAPHICS, (g, by, ys, sub), strict=True)
    )
    codes["district"][i], codes["level"][i] = places[school_id]
    codes["gender"][i] = gender_of(gender)
    birth_year = _int(birth)
    codes["age"][i] = band_of(None if birth_year is None else year - birth_year, AGE_BANDS)
    codes["service"][i] = band_of(_int(service), SERVICE_BANDS)
    codes["subject"][i] = subject_of(subject)
    doc = json.loads(open_cell("responses", "scores", rid, sealed) or "{}")
    for s in scales:
        value = doc.get(s.instrument, {}).get("scores", {}).get(s.score)
        if value is not None:
            scores[s.key][i] = value
