"""The response-quality job: one note per submitted response, against its wave's other answers.

``assess_wave(session, wave_id, now)`` reads the wave's submitted, not withdrawn responses that
still hold answers, opens their answers and page timings, lays them out as the ``(n, 60)``
matrix of ``scoring.teacher_lines.ANALYSIS_BATTERY`` (NaN for an item not answered, or an
instrument the wave did not ask), asks ``scoring.quality.assess_quality``, and writes one
``census.quality.ResponseQuality`` per response: changed rows only, and the rows of responses
withdrawn or erased since are deleted. Running it twice writes nothing the second time.

It reads answers and writes notes, nothing else: never a level, a case, routing or an outreach.
It logs counts only, never an answer, a time or a reason.

The sweep (``run_quality_sweep``) assesses every open wave and every closed wave not yet
released, one transaction per wave; ``analysis.jobs`` schedules it and assesses a wave once more
inside the transaction that releases it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import uuid
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from census.models import Response, Wave, WaveState
from census.quality import ResponseQuality
from config.settings import Settings
from db import Database, begin_for_write
from instruments import instruments_by_id
from privacy.vault import open_cell
from scoring.quality import assess_quality
from scoring.teacher_lines import ANALYSIS_BATTERY

log = logging.getLogger(__name__)

# The waves whose notes can still change: answers still arrive, or are about to be released.
ASSESSED_STATES = (WaveState.OPEN, WaveState.CLOSED)
_TABLE = Response.__tablename__
_ASSESSABLE = (
    Response.submitted_at.is_not(None),
    Response.withdrawn_at.is_(None),
    Response.answers_sealed.is_not(None),
)


def battery_matrix(
    documents: Sequence[tuple[str | None, str | None]],
) -> tuple[np.ndarray, np.ndarray]:
    """``(answers (n, 60), page_seconds (n, 6))`` in ANALYSIS_BATTERY order from each response's
    ``(answers JSON, timings JSON)``; NaN where unanswered or unknown."""
    known = instruments_by_id()
    columns = [item.id for inst_id in ANALYSIS_BATTERY for item in known[inst_id].items]
    answers = np.full((len(documents), len(columns)), np.nan)
    seconds = np.full((len(documents), len(ANALYSIS_BATTERY)), np.nan)
    for row, (answer_text, timing_text) in enumerate(documents):
        given = json.loads(answer_text) if answer_text else {}
        answers[row] = [given.get(item_id, math.nan) for item_id in columns]
        timed = json.loads(timing_text) if timing_text else {}
        seconds[row] = [_seconds(timed.get(inst_id)) for inst_id in ANALYSIS_BATTERY]
    return answers, seconds


def _seconds(value: object) -> float:
    # null in the sealed timings means unknown (survey.teacher.page_timing).
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if is_number else math.nan  # type: ignore[arg-type]


def _read(session: Session, wave_id: int) -> tuple[list[uuid.UUID], np.ndarray, np.ndarray]:
    rows = session.execute(
        select(Response.id, Response.answers_sealed, Response.timings_sealed)
        .where(Response.wave_id == wave_id, *_ASSESSABLE)
        .order_by(Response.id)
    ).all()
    documents = [
        (
            open_cell(_TABLE, "answers", row.id, row.answers_sealed),
            open_cell(_TABLE, "timings", row.id, row.timings_sealed),
        )
        for row in rows
    ]
    answers, seconds = battery_matrix(documents)
    return [row.id for row in rows], answers, seconds


def _still_assessable(session: Session, wave_id: int) -> set[uuid.UUID]:
    # Under the write lock. FOR SHARE (PostgreSQL): a withdrawal, which locks its response,
    # waits until these notes commit and then deletes its own; one that committed first is
    # not among these ids.
    query = select(Response.id).where(Response.wave_id == wave_id, *_ASSESSABLE)
    return set(session.scalars(query.with_for_update(read=True, of=Response)))


def assess_wave(session: Session, wave_id: int, now: dt.datetime) -> int:
    """Assess one wave's submitted responses and write their notes; returns the rows written
    (added, changed or deleted). Only flushes: the caller commits."""
    ids, answers, seconds = _read(session, wave_id)
    result = assess_quality(ANALYSIS_BATTERY, answers, seconds)
    begin_for_write(session)
    eligible = _still_assessable(session, wave_id)
    stored = {
        note.response_id: note
        for note in session.scalars(
            select(ResponseQuality).where(ResponseQuality.wave_id == wave_id)
        )
    }
    written = 0
    for row, response_id in enumerate(ids):
        if response_id not in eligible:
            continue
        flagged, reasons = bool(result.flag[row]), list(result.reasons(row))
        written += _upsert(session, stored.get(response_id), response_id, wave_id,
                           (flagged, reasons, len(ids)), now)  # fmt: skip
    gone = [response_id for response_id in stored if response_id not in eligible]
    written += _delete(session, gone)
    session.flush()
    log.info(
        "response quality assessed",
        extra={"event": "analysis.quality", "wave": wave_id, "responses": len(ids),
               "flagged": int(np.count_nonzero(result.flag)), "written": written},
    )  # fmt: skip
    return written


def _upsert(
    session: Session,
    note: ResponseQuality | None,
    response_id: uuid.UUID,
    wave_id: int,
    values: tuple[bool, list[str], int],
    now: dt.datetime,
) -> int:
    flagged, reasons, sample_size = values
    if note is None:
        note = ResponseQuality(response_id=response_id, wave_id=wave_id, computed_at=now)
        note.flagged, note.reasons, note.sample_size = flagged, reasons, sample_size
        session.add(note)
        return 1
    if (note.flagged, list(note.reasons), note.sample_size) == (flagged, reasons, sample_size):
        return 0
    note.flagged, note.reasons, note.sample_size, note.computed_at = (
        flagged, reasons, sample_size, now,
    )  # fmt: skip
    return 1


def _delete(session: Session, response_ids: Iterable[uuid.UUID]) -> int:
    gone = list(response_ids)
    if gone:
        session.execute(
            delete(ResponseQuality)
            .where(ResponseQuality.response_id.in_(gone))
            .execution_options(synchronize_session=False)
        )
    return len(gone)


def waves_to_assess(session: Session) -> list[int]:
    """The open waves and the closed ones not yet released, oldest first."""
    query = select(Wave.id).where(Wave.state.in_(ASSESSED_STATES)).order_by(Wave.id)
    return list(session.scalars(query))


def run_quality_sweep(database: Database, settings: Settings, now: dt.datetime) -> int:
    """Assess every wave whose notes can still change, one transaction each; rows written."""
    with Session(database.engine) as session:
        wave_ids = waves_to_assess(session)
    written = 0
    for wave_id in wave_ids:
        with Session(database.engine) as session, session.begin():
            written += assess_wave(session, wave_id, now)
    return written
