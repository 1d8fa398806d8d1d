"""Each score's SD over a wave's submissions, frozen once when the wave closes.

A teacher's next wave judges reliable change (Jacobson & Truax) against the SD of the whole
distribution of the wave they last answered (``scoring.change``). It is computed here, once, from
the submissions that stand when the wave closes (withdrawn and erased answers are gone by then),
and never again: a withdrawal afterwards leaves the frozen SD as it was, as it leaves a released
aggregate. Fewer than ``MIN_WAVE_RESPONDENTS`` complete answers keep only the count (see
``WaveScoreSpread``); the next wave then falls back to the instrument's normative SD, if one is
pinned, and says so.

Every score of every instrument in the battery is kept, not only today's reliable-change scores,
so that a policy that later adds reliable change for a scale (K10, say) finds its SD.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from census.models import Response, Wave, WaveScoreSpread, WaveState
from instruments import instruments_by_id
from privacy.sealing import SealError
from privacy.vault import open_cell
from scoring.change import wave_sd

_TABLE = Response.__tablename__
_COLUMN = Response.scores.name


def is_frozen(session: Session, wave_id: int) -> bool:
    """Whether the wave's spreads were frozen (at its close, or by a later sweep)."""
    return bool(session.scalar(select(exists().where(WaveScoreSpread.wave_id == wave_id))))


def freeze_score_spreads(session: Session, wave: Wave, now: dt.datetime) -> bool:
    """Freeze the SD of every score of the wave's battery over its standing submissions, unless
    frozen already; True when frozen now (flushes)."""
    if is_frozen(session, wave.id):
        return False
    known = instruments_by_id()
    values: dict[tuple[str, str], list[float]] = {
        (inst_id, score.id): [] for inst_id in wave.battery for score in known[inst_id].scores
    }
    for doc in _documents(session, wave.id):
        for (inst_id, score_id), bucket in values.items():
            value = doc.get(inst_id, {}).get("scores", {}).get(score_id)
            if value is not None:
                bucket.append(float(value))
    session.add_all(
        WaveScoreSpread(
            wave_id=wave.id,
            instrument=inst_id,
            score=score_id,
            respondents=len(bucket),
            sd=wave_sd(bucket),
            frozen_at=now,
        )
        for (inst_id, score_id), bucket in values.items()
    )
    session.flush()
    return True


def _documents(session: Session, wave_id: int) -> list[dict[str, dict[str, dict[str, float]]]]:
    """The scores documents of the wave's submissions that stand (not withdrawn, not erased).

    A cell that fails to open is reported by location (``open_cell``) and left out: one broken
    cell must not keep the wave sweep from closing waves.
    """
    rows = session.execute(
        select(Response.id, Response.scores_sealed).where(
            Response.wave_id == wave_id,
            Response.submitted_at.is_not(None),
            Response.withdrawn_at.is_(None),
            Response.scores_sealed.is_not(None),
        )
    ).all()
    docs = []
    for response_id, sealed in rows:
        try:
            text = open_cell(_TABLE, _COLUMN, response_id, sealed)  # logs where a failure was
        except SealError:
            continue
        if text:
            docs.append(json.loads(text))
    return docs


def unfrozen_closed_waves(session: Session) -> list[Wave]:
    """Closed or released waves without frozen spreads (closed before spreads were kept),
    locked: a second scheduler waits, then finds them frozen (``freeze_score_spreads`` checks
    again)."""
    return list(
        session.scalars(
            select(Wave)
            .where(
                Wave.state.in_((WaveState.CLOSED, WaveState.RELEASED)),
                ~exists().where(WaveScoreSpread.wave_id == Wave.id),
            )
            .order_by(Wave.id)
            .with_for_update()
        )
    )
