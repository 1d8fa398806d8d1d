"""The open demo wave: about 60% answered from the census's last wave, judged against the released
waves (reliable change), its cases and outreach opened through the door. It reads the full demo
seeded once for the session (``tests/demo/conftest.py``)."""

from __future__ import annotations

import json
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.models import Case, Outreach
from census.models import Invitation, InvitationStatus, Response, Wave, WaveState
from demo.census import DEMO_TEACHERS
from scoring.levels import RiskLevel
from survey.waves.rules import DEFAULT_BATTERY
from tests.demo.conftest import NOW, SeededDemo

TEACHERS = DEMO_TEACHERS


def test_demo_wave_is_open_about_sixty_percent_answered_and_judged_by_the_last_time(
    seeded_demo: SeededDemo, demo_session: Session
) -> None:
    wave = demo_session.get(Wave, seeded_demo.opened)
    released = [w for w in (demo_session.get(Wave, i) for i in seeded_demo.released) if w]
    assert wave is not None and len(released) == 2
    assert wave.state is WaveState.OPEN and wave.battery == list(DEFAULT_BATTERY)
    assert wave.opens_at < NOW < wave.closes_at
    invitations = demo_session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.wave_id == wave.id)
    )
    assert seeded_demo.teachers == TEACHERS
    assert invitations == TEACHERS and 0.55 * TEACHERS <= seeded_demo.submitted <= 0.65 * TEACHERS
    responses = demo_session.scalars(select(Response).where(Response.wave_id == wave.id)).all()
    assert len(responses) == seeded_demo.submitted
    assert all(r.submitted_at and wave.opens_at <= r.submitted_at <= NOW for r in responses)
    levels = Counter(r.risk_level for r in responses)
    cases = demo_session.scalar(select(func.count(Case.id)).where(Case.wave_id == wave.id))
    assert cases == levels[RiskLevel.CRISIS] + levels[RiskLevel.HIGH] > 0
    outreach = demo_session.scalar(
        select(func.count(Outreach.id)).where(Outreach.wave_id == wave.id)
    )
    assert outreach == levels[RiskLevel.MODERATE] > 0
    response = responses[0]
    assert response.receipt and len(json.loads(response.answers or "{}")) == 60
    assert set(json.loads(response.scores or "{}")) == set(DEFAULT_BATTERY)
    assert seeded_demo.waiting is not None
    waiting = demo_session.get(Invitation, seeded_demo.waiting)
    assert waiting is not None and waiting.status is InvitationStatus.INVITED
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
