"""A demo wave's answers submitted as a teacher's submission stores them, for thousands at once.

What ``survey.teacher.submission`` does for one teacher is done here for a whole wave, with the
same stored result: the teacher's last time is read the way ``census.earlier_scores`` reads it
(most recent closed wave holding the score, judged with that wave's frozen SD or the normative
one), the answers are scored by ``scoring.score_battery`` with those earlier scores (reliable
change) and the default policy, and each teacher's row of the result becomes the survey's own
``Outcome`` (level, rule ids, scores document). Only the loops differ: one engine call per group
of teachers who share their earlier wave, one read of every earlier score, one insert of every
response (``db.bulk``), sealed answers, scores, reasons and page times, a receipt each.
tests/demo/test_submissions.py checks the stored rows against the per-teacher path.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import groupby

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from census.earlier_scores import Earlier
from census.models import Invitation, InvitationStatus, Response, Wave, WaveScoreSpread, WaveState
from db.bulk import insert_rows
from instruments import instruments_by_id
from privacy.sealing import SealError
from privacy.vault import open_cell, seal_row
from scoring import BatteryResult, PreviousWave, score_battery
from scoring.change import change_sd
from survey.teacher.consent import CONSENT_VERSION
from survey.teacher.flow import compiled_battery
from survey.teacher.submission import Outcome, new_receipt

_TABLE = Response.__tablename__
_RESPONSES: Table = Response.__table__  # type: ignore[assignment]
_INVITATIONS: Table = Invitation.__table__  # type: ignore[assignment]
_SEALED = (Response.answers.name, Response.scores.name, Response.reasons.name,
           Response.timings.name)  # fmt: skip


@dataclass(frozen=True)
class Submission:
    """One teacher's submitted answers: whose, when, the answers and each page's seconds."""

    invitation_id: uuid.UUID
    pseudonym: str
    school_id: int
    submitted_at: dt.datetime
    answers: dict[str, int]
    timings: dict[str, float]


@dataclass(frozen=True)
class Stored:
    """A stored submission: its response id and what the scoring found."""

    submission: Submission
    response_id: uuid.UUID
    outcome: Outcome


def item_ids(battery: Sequence[str]) -> list[str]:
    """The battery's item ids in column order (the census's answer columns)."""
    known = instruments_by_id()
    return [item.id for inst in battery for item in known[inst].items]


def earlier_by_pseudonym(
    session: Session, wave_id: int, battery: Sequence[str]
) -> dict[str, dict[str, Earlier]]:
    """Every teacher's last time before ``wave_id``, per instrument with a reliable-change
    setting: what ``census.earlier_scores`` finds for each of them, in two statements."""
    plan = compiled_battery(tuple(battery))
    wanted = {p.instrument.id: p.change for p in plan.instruments if p.change is not None}
    closed = (WaveState.CLOSED, WaveState.RELEASED)
    spreads = {
        (w, i, s): sd
        for w, i, s, sd in session.execute(
            select(WaveScoreSpread.wave_id, WaveScoreSpread.instrument, WaveScoreSpread.score,
                   WaveScoreSpread.sd)
        )
    }  # fmt: skip
    rows = session.execute(
        select(Response.pseudonym, Response.id, Response.wave_id, Response.scores_sealed)
        .join(Wave, Wave.id == Response.wave_id)
        .where(
            Response.wave_id != wave_id,
            Wave.state.in_(closed),
            Response.submitted_at.is_not(None),
            Response.withdrawn_at.is_(None),
            Response.scores_sealed.is_not(None),
        )
        .order_by(Response.pseudonym, Wave.closes_at.desc(), Wave.id.desc())
    ).all()
    found: dict[str, dict[str, Earlier]] = {}
    for pseudonym, responses in groupby(rows, key=lambda row: row[0]):
        mine: dict[str, Earlier] = {}
        for _, response_id, earlier_wave, sealed in responses:
            missing = {i: s for i, s in wanted.items() if i not in mine}
            if not missing:
                break
            doc = _opened(response_id, sealed)
            for inst_id, setting in missing.items():
                value = doc.get(inst_id, {}).get("scores", {}).get(setting.score)
                if value is None:
                    continue
                chosen = change_sd(spreads.get((earlier_wave, inst_id, setting.score)), setting)
                sd, source = chosen if chosen is not None else (None, None)
                mine[inst_id] = Earlier(earlier_wave, float(value), sd, source)
        found[pseudonym] = mine
    return found


def _opened(response_id: uuid.UUID, sealed: bytes) -> dict[str, dict[str, dict[str, float]]]:
    try:
        text = open_cell(_TABLE, Response.scores.name, response_id, sealed)
    except SealError:  # passed over, as a submission passes over an earlier broken cell
        return {}
    return dict(json.loads(text)) if text else {}


def outcomes(
    battery: Sequence[str], answers: NDArray[np.float64], earlier: Sequence[Mapping[str, Earlier]]
) -> list[Outcome]:
    """Each row of ``answers`` scored as ``survey.teacher.submission.score`` scores one teacher
    against ``earlier[row]``, and turned into the survey's ``Outcome``."""
    plan = compiled_battery(tuple(battery))
    groups: dict[tuple[tuple[str, int, float | None], ...], list[int]] = {}
    for row, mine in enumerate(earlier):
        key = tuple(sorted((inst, e.wave_id, e.sd) for inst, e in mine.items()))
        groups.setdefault(key, []).append(row)
    found: list[Outcome | None] = [None] * len(earlier)
    for key, rows in groups.items():
        previous = {
            inst: PreviousWave(np.array([earlier[r][inst].score for r in rows]), sd)
            for inst, _, sd in key
            if sd is not None
        }
        result = score_battery(plan, answers[rows], previous=previous)
        for j, row in enumerate(rows):
            found[row] = Outcome.of(row_of(result, j), earlier[row])
    return [o for o in found if o is not None]


def row_of(result: BatteryResult, row: int) -> BatteryResult:
    """Row ``row`` of a scored battery, as the engine gives it for that one teacher."""
    cut = slice(row, row + 1)
    instruments = {
        inst_id: replace(
            res,
            scores={name: values[cut] for name, values in res.scores.items()},
            bands={name: codes[cut] for name, codes in res.bands.items()},
            flags=res.flags[cut],
            level=res.level[cut],
            reasons=res.reasons[cut],
        )
        for inst_id, res in result.instruments.items()
    }
    return replace(
        result, instruments=instruments, level=result.level[cut], reasons=result.reasons[cut]
    )


def store(session: Session, wave: Wave, submissions: Sequence[Submission]) -> list[Stored]:
    """Score and store ``submissions`` to ``wave`` as submitted, each judged against the
    teacher's last time, and mark their invitations submitted (flushes)."""
    if not submissions:
        return []
    session.flush()
    columns = item_ids(wave.battery)
    matrix = np.array([[s.answers[c] for c in columns] for s in submissions], dtype=np.float64)
    before = earlier_by_pseudonym(session, wave.id, wave.battery)
    found = outcomes(wave.battery, matrix, [before.get(s.pseudonym, {}) for s in submissions])
    stored = [Stored(s, uuid.uuid4(), o) for s, o in zip(submissions, found, strict=True)]
    keys = ["id", "pseudonym", "school_id", "invitation_id", "risk_level", "submitted_at",
            "receipt", "created_at", "updated_at", *_SEALED]  # fmt: skip
    rows = []
    for one in stored:
        s, outcome = one.submission, one.outcome
        texts = [json.dumps(s.answers, sort_keys=True), outcome.scores_json,
                 json.dumps(outcome.reasons), json.dumps(s.timings, sort_keys=True)]  # fmt: skip
        sealed = seal_row(_TABLE, one.response_id, list(zip(_SEALED, texts, strict=True)))
        at = s.submitted_at
        rows.append([one.response_id, s.pseudonym, s.school_id, s.invitation_id, outcome.level,
                     at, new_receipt(), at, at, *sealed])  # fmt: skip
    constants = {"wave_id": wave.id, "pages_saved": len(wave.battery), "version": 1}
    insert_rows(session, _RESPONSES, keys, rows, constants)
    table = _INVITATIONS
    session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("invitation"))
        .values(status=InvitationStatus.SUBMITTED, consent_version=CONSENT_VERSION,
                identity_confirmed_at=bindparam("at"), consented_at=bindparam("at"),
                submitted_at=bindparam("at")),
        [{"invitation": s.invitation_id, "at": s.submitted_at} for s in submissions],
    )  # fmt: skip
    return stored
