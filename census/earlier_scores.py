"""A teacher's scores in earlier waves: what a submission's reliable change is judged against.

"Last time", for one instrument, is the most recent earlier wave (by close time) that is closed,
in which the teacher's submission stands (not withdrawn, not erased) and holds that instrument's
score. The change is judged with that wave's SD, frozen at its close (``census.score_spread``), or
the instrument's normative SD when the wave was too small for its own, or not at all
(``scoring.change.change_sd``); the scores document says which (``change_entry``).

The submission reads all of it in one statement before it takes the write lock: the teacher's
earlier responses under their pseudonym (indexed), each with its wave's frozen spreads. Earlier
responses are opened one at a time, the most recent first, only until every instrument has found
its last time: usually one. A cell that fails to open is reported by location and passed over:
an earlier wave's broken cell must not stop a teacher from submitting.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import numpy as np
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, aliased

from census.models import Response, Wave, WaveScoreSpread, WaveState
from instruments import ReliableChange
from privacy.sealing import SealError
from privacy.vault import open_cell
from scoring import PreviousWave, reliable_change_threshold
from scoring.change import change_sd
from scoring.codes import COMMON_FLAGS, RELIABLE_DETERIORATION, RELIABLE_IMPROVEMENT
from scoring.plan import BatteryPlan

_TABLE = Response.__tablename__
_COLUMN = Response.scores.name
# The names the scores document lists the change flags by (common to every instrument).
DETERIORATION = COMMON_FLAGS[RELIABLE_DETERIORATION.bit_length() - 1]
IMPROVEMENT = COMMON_FLAGS[RELIABLE_IMPROVEMENT.bit_length() - 1]

# Built once: every submission runs it.
_EARLIER = (
    select(
        Response.id,
        Response.wave_id,
        Response.scores_sealed,
        WaveScoreSpread.instrument,
        WaveScoreSpread.score,
        WaveScoreSpread.sd,
    )
    .join(Wave, Wave.id == Response.wave_id)
    .outerjoin(WaveScoreSpread, WaveScoreSpread.wave_id == Response.wave_id)
    .where(
        Response.pseudonym == bindparam("pseudonym"),
        Response.wave_id != bindparam("wave_id"),
        Wave.state.in_((WaveState.CLOSED, WaveState.RELEASED)),
        Response.submitted_at.is_not(None),
        Response.withdrawn_at.is_(None),
        Response.scores_sealed.is_not(None),
    )
    .order_by(Wave.closes_at.desc(), Wave.id.desc())
)


@dataclass(frozen=True)
class Earlier:
    """One instrument's score last time, and the SD its change is judged with (None: not
    assessed, the earlier wave being too small and no normative SD pinned)."""

    wave_id: int
    score: float
    sd: float | None
    sd_source: str | None


def earlier_scores(
    session: Session, pseudonym: str, wave_id: int, plan: BatteryPlan
) -> dict[str, Earlier]:
    """Per instrument of ``plan`` with a reliable-change setting, the teacher's last time."""
    wanted = {p.instrument.id: p.change for p in plan.instruments if p.change is not None}
    if not wanted:
        return {}
    rows = session.execute(_EARLIER, {"pseudonym": pseudonym, "wave_id": wave_id}).all()
    found: dict[str, Earlier] = {}
    for response_id, group in groupby(rows, key=lambda row: row[0]):
        missing = {i: s for i, s in wanted.items() if i not in found}
        if not missing:
            break
        wave_rows = list(group)
        doc = _opened(response_id, wave_rows[0][2])
        spreads = {(row[3], row[4]): row[5] for row in wave_rows if row[3] is not None}
        found.update(_found_in(doc, wave_rows[0][1], spreads, missing))
    return found


def _found_in(
    doc: Mapping[str, Any],
    wave_id: int,
    spreads: Mapping[tuple[str, str], float | None],
    missing: Mapping[str, ReliableChange],
) -> dict[str, Earlier]:
    found = {}
    for inst_id, setting in missing.items():
        value = doc.get(inst_id, {}).get("scores", {}).get(setting.score)
        if value is None:
            continue
        chosen = change_sd(spreads.get((inst_id, setting.score)), setting)
        sd, source = chosen if chosen is not None else (None, None)
        found[inst_id] = Earlier(wave_id, float(value), sd, source)
    return found


def _opened(response_id: uuid.UUID, sealed: bytes) -> dict[str, Any]:
    try:
        text = open_cell(_TABLE, _COLUMN, response_id, sealed)  # logs where a failure was
    except SealError:
        return {}
    return dict(json.loads(text)) if text else {}


def previous_waves(earlier: Mapping[str, Earlier]) -> dict[str, PreviousWave]:
    """What ``score_battery(previous=...)`` takes for one teacher: the assessable changes."""
    return {
        inst_id: PreviousWave(np.array([e.score], dtype=np.float64), e.sd)
        for inst_id, e in earlier.items()
        if e.sd is not None
    }


def change_entry(earlier: Earlier, setting: ReliableChange, flags: Iterable[str]) -> dict[str, Any]:
    """The scores document's record of one change: since which wave, judged with which SD
    (``wave`` or ``normative``) and threshold, and its direction (None: not assessed)."""
    if earlier.sd is None:
        return {"since_wave": earlier.wave_id, "sd": None, "sd_source": None,
                "threshold": None, "direction": None}  # fmt: skip
    marked = set(flags)
    direction = "none"
    if DETERIORATION in marked:
        direction = "deterioration"
    elif IMPROVEMENT in marked:
        direction = "improvement"
    return {
        "since_wave": earlier.wave_id,
        "sd": round(earlier.sd, 4),
        "sd_source": earlier.sd_source,
        "threshold": round(reliable_change_threshold(earlier.sd, setting.r), 4),
        "direction": direction,
    }


def earlier_documents(
    session: Session, response_id: uuid.UUID, wave_ids: Collection[int]
) -> dict[int, dict[str, Any]]:
    """The scores documents the teacher of ``response_id`` still has in
    ``wave_ids``, by wave (withdrawn or erased ones are gone): for the results page's words."""
    if not wave_ids:
        return {}
    this = aliased(Response)
    rows = session.execute(
        select(Response.wave_id, Response.id, Response.scores_sealed).where(
            Response.pseudonym
            == select(this.pseudonym).where(this.id == response_id).scalar_subquery(),
            Response.wave_id.in_(sorted(wave_ids)),
            Response.withdrawn_at.is_(None),
            Response.scores_sealed.is_not(None),
        )
    ).all()
    found = {}
    for wave_id, rid, sealed in rows:
        doc = _opened(rid, sealed)
        if doc:
            found[int(wave_id)] = doc
    return found
