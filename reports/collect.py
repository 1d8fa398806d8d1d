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

from census.models import Invitation, InvitationStatus, Response, Wave
from census.quality import ResponseQuality
from org.models import District, School, Teacher
from privacy.keys import KeyRing
from privacy.sealing import SealError, binding, open_sealed
from privacy.vault import key_ring, open_cell
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
from reports.risk import level_code
from reports.scales import report_scales


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
               Teacher.years_of_service_sealed, Teacher.subject_sealed,
               Response.risk_level, ResponseQuality.flagged)
        .join(Teacher, Teacher.pseudonym == Response.pseudonym)
        .outerjoin(ResponseQuality, ResponseQuality.response_id == Response.id)
        .where(Response.wave_id == wave.id, Response.submitted_at.is_not(None),
               Response.withdrawn_at.is_(None))
        .order_by(Response.id)
    ).all()  # fmt: skip
    scales = [s for s in report_scales() if s.instrument in wave.battery]
    codes = {d.id: np.zeros(len(rows), np.int64) for d in dims}
    scores = {s.key: np.full(len(rows), np.nan) for s in scales}
    _code_rows(rows, places, year, codes, scores, scales)
    sizes = (len(dims[0].labels), len(dims[1].labels))
    invited, consented = _invitations(session, wave, places, sizes)
    levels = np.array([level_code(row[8]) for row in rows], np.int64)
    # A wave the quality job has not assessed has no flags at all (not "nobody flagged").
    assessed = any(row[9] is not None for row in rows)
    flagged = np.array([bool(row[9]) for row in rows], bool) if assessed else None
    return Microdata(dims, codes, scores, invited, consented, levels, flagged)


def _open(
    ring: KeyRing, table: str, column: str, row_id: object, sealed: bytes | None
) -> str | None:
    """``open_cell`` without its per-call overhead; a failure goes through it to be reported."""
    if sealed is None:
        return None
    try:
        return open_sealed(ring, bytes(sealed), binding(table, column, row_id))
    except SealError:
        return open_cell(table, column, row_id, sealed)  # logs the cell's location, raises


def _code_rows(rows, places, year, codes, scores, scales) -> None:  # type: ignore[no-untyped-def]
    """Open each respondent's demographics and scores into group codes and score arrays.

    A release opens ~5 cells for each of up to ~100,000 respondents: the loop is kept lean, and
    the mapping of each distinct text to its group is computed once.
    """
    ring = key_ring()
    gender_code: dict[str | None, int] = {}
    age_code: dict[str | None, int] = {}
    service_code: dict[str | None, int] = {}
    subject_code: dict[str | None, int] = {}
    wanted = [(scores[s.key], s.instrument, s.score) for s in scales]
    district, level = codes["district"], codes["level"]
    gender, age, service, subject = (
        codes["gender"],
        codes["age"],
        codes["service"],
        codes["subject"],
    )
    for i, (rid, school_id, sealed, tid, g, by, ys, sub, *_plain) in enumerate(rows):
        district[i], level[i] = places[school_id]
        text = _open(ring, "teachers", "gender", tid, g)
        if text not in gender_code:
            gender_code[text] = gender_of(text)
        gender[i] = gender_code[text]
        text = _open(ring, "teachers", "birth_year", tid, by)
        if text not in age_code:
            born = _int(text)
            age_code[text] = band_of(None if born is None else year - born, AGE_BANDS)
        age[i] = age_code[text]
        text = _open(ring, "teachers", "years_of_service", tid, ys)
        if text not in service_code:
            service_code[text] = band_of(_int(text), SERVICE_BANDS)
        service[i] = service_code[text]
        text = _open(ring, "teachers", "subject", tid, sub)
        if text not in subject_code:
            subject_code[text] = subject_of(text)
        subject[i] = subject_code[text]
        doc = json.loads(_open(ring, "responses", "scores", rid, sealed) or "{}")
        for array, instrument, score in wanted:
            value = doc.get(instrument, {}).get("scores", {}).get(score)
            if value is not None:
                array[i] = value
