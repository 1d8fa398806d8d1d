"""The demo wave: open, default battery, about 60% answered with plausible levels."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.passwords import HashCost, Passwords
from alerts.models import Case, Outreach
from alerts.routing import RoutingPolicy
from census.models import Invitation, InvitationStatus, Response, WaveState
from demo.seed import seed_demo
from demo.wave import seed_demo_wave
from scoring.levels import RiskLevel
from survey.waves.rules import DEFAULT_BATTERY

ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def test_demo_wave_is_open_and_about_sixty_percent_answered(db_session: Session) -> None:
    seed_demo(
        db_session, Passwords(HashCost(time_cost=1, memory_kib=1024, parallelism=1)), "S" * 32, NOW
    )
    seeded = seed_demo_wave(db_session, NOW, routing=ROUTING)
    wave = seeded.wave
    assert wave.state is WaveState.OPEN and wave.battery == list(DEFAULT_BATTERY)
    assert wave.opens_at < NOW < wave.closes_at
    invitations = db_session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.wave_id == wave.id)
    )
    assert invitations == 300 and 150 <= seeded.submitted <= 210
    rows = db_session.execute(
        select(Response.risk_level, func.count()).group_by(Response.risk_level)
    )
    levels: dict[RiskLevel | None, int] = {level: int(n) for level, n in rows}
    assert sum(levels.values()) == seeded.submitted
    # Plausible (instruments.md): mostly low, a fifth or so moderate, a few high and crisis.
    assert levels[RiskLevel.LOW] > seeded.submitted / 2
    assert 0.1 < levels[RiskLevel.MODERATE] / seeded.submitted < 0.4
    assert levels.get(RiskLevel.CRISIS, 0) >= 1 and levels.get(RiskLevel.HIGH, 0) >= 1
    cases = db_session.scalar(select(func.count(Case.id)))
    assert cases == levels.get(RiskLevel.CRISIS, 0) + levels.get(RiskLevel.HIGH, 0)
    assert db_session.scalar(select(func.count(Outreach.id))) == levels[RiskLevel.MODERATE]
    response = db_session.scalars(select(Response)).first()
    assert response is not None and response.receipt
    assert len(json.loads(response.answers or "{}")) == 9 + 7 + 5 + 10 + 10 + 19
    assert set(json.loads(response.scores or "{}")) == set(DEFAULT_BATTERY)
    assert seeded.waiting is not None and seeded.waiting.status is InvitationStatus.INVITED
