"""The open demo wave: about 60% answered from the census's last wave, judged against the released
waves (reliable change), its cases and outreach opened through the door."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.passwords import HashCost, Passwords
from alerts.models import Case, Outreach
from alerts.routing import RoutingPolicy
from census.models import Invitation, InvitationStatus, Response, WaveState
from demo.released import seed_released_demo_waves
from demo.seed import seed_demo
from demo.wave import seed_demo_wave
from scoring.levels import RiskLevel
from survey.waves.rules import DEFAULT_BATTERY

ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
TEACHERS = 1000


def test_demo_wave_is_open_about_sixty_percent_answered_and_judged_by_the_last_time(
    db_session: Session,
) -> None:
    passwords = Passwords(HashCost(time_cost=1, memory_kib=1024, parallelism=1))
    seed_demo(db_session, passwords, "S" * 32, NOW, teachers=TEACHERS)
    released = seed_released_demo_waves(db_session, NOW, routing=ROUTING)
    seeded = seed_demo_wave(db_session, NOW, routing=ROUTING)
    wave = seeded.wave
    assert wave.state is WaveState.OPEN and wave.battery == list(DEFAULT_BATTERY)
    assert wave.opens_at < NOW < wave.closes_at
    invitations = db_session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.wave_id == wave.id)
    )
    assert invitations == TEACHERS and 0.55 * TEACHERS <= seeded.submitted <= 0.65 * TEACHERS
    responses = db_session.scalars(select(Response).where(Response.wave_id == wave.id)).all()
    assert len(responses) == seeded.submitted
    assert all(r.submitted_at and wave.opens_at <= r.submitted_at <= NOW for r in responses)
    levels = Counter(r.risk_level for r in responses)
    cases = db_session.scalar(select(func.count(Case.id)).where(Case.wave_id == wave.id))
    assert cases == levels[RiskLevel.CRISIS] + levels[RiskLevel.HIGH] > 0
    outreach = db_session.scalar(select(func.count(Outreach.id)).where(Outreach.wave_id == wave.id))
    assert outreach == levels[RiskLevel.MODERATE] > 0
    response = responses[0]
    assert response.receipt and len(json.loads(response.answers or "{}")) == 60
    assert set(json.loads(response.scores or "{}")) == set(DEFAULT_BATTERY)
    assert seeded.waiting is not None and seeded.waiting.status is InvitationStatus.INVITED
    # Most teachers answered before; most changes are not reliable, some are, both ways; each
    # judged since the teacher's last time, the later release for those who answered it.
    changes = [entry["change"] for r in responses for entry in json.loads(r.scores or "{}")
               .values() if "change" in entry]  # fmt: skip
    directions = Counter(c["direction"] for c in changes)
    assert directions["none"] > directions["deterioration"] > 0 and directions["improvement"] > 0
    since = Counter(c["since_wave"] for c in changes)
    assert set(since) == {w.id for w in released} and since[released[1].id] > since[released[0].id]
    reasons = [x for r in responses if r.risk_level is RiskLevel.MODERATE
               for x in json.loads(r.reasons or "[]")]  # fmt: skip
    assert any(x.endswith("_reliable_deterioration") for x in reasons)
