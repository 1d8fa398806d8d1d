"""The open demo wave is judged against the released one, as a real wave is against the last."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.passwords import HashCost, Passwords
from alerts.routing import RoutingPolicy
from census.models import Response, WaveScoreSpread
from demo.released import seed_released_demo_wave
from demo.seed import seed_demo
from demo.wave import seed_demo_wave
from scoring.levels import RiskLevel

ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def test_the_demo_wave_shows_reliable_change_since_the_released_one(db_session: Session) -> None:
    passwords = Passwords(HashCost(time_cost=1, memory_kib=1024, parallelism=1))
    seed_demo(db_session, passwords, "S" * 32, NOW)
    released = seed_released_demo_wave(db_session, NOW)
    frozen = db_session.get(WaveScoreSpread, (released.id, "phq9", "total"))
    assert frozen is not None and frozen.respondents > 200 and frozen.sd
    seeded = seed_demo_wave(db_session, NOW, routing=ROUTING)
    responses = list(db_session.scalars(select(Response).where(Response.wave_id == seeded.wave.id)))
    directions = Counter(
        entry["change"]["direction"]
        for r in responses
        for entry in json.loads(r.scores or "{}").values()
        if "change" in entry
    )
    # Most teachers answered both waves; most changes are not reliable, some are, both ways.
    assert directions["none"] > directions["deterioration"] > 0
    assert directions["improvement"] > 0
    assert all(entry_wave == released.id for entry_wave in _since(responses))
    moderate = [r for r in responses if r.risk_level is RiskLevel.MODERATE]
    assert 0.1 < len(moderate) / len(responses) < 0.4  # still plausible (instruments.md)
    reasons = [x for r in moderate for x in json.loads(r.reasons or "[]")]
    assert any(x.endswith("_reliable_deterioration") for x in reasons)


def _since(responses: list[Response]) -> list[int]:
    return [
        entry["change"]["since_wave"]
        for r in responses
        for entry in json.loads(r.scores or "{}").values()
        if "change" in entry
    ]
