"""The demo's two earlier waves, answered, closed and released: reports, trends and rates to learn.

Each runs the real path a system administrator takes: invitations for the whole city, the
census wave's respondents submitting (``demo.submissions``: sealed answers, scores, reasons,
page times, risk levels and receipts, each judged against the teacher's last time), their cases
and outreach opened through ``alerts.door`` and the cases worked to their close
(``demo.followup``), then ``change_state`` to close (freezing the score spreads the next wave's
reliable change is judged by) and to release (building and freezing the report).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from alerts.door import RoutingPolicy
from census.models import Wave, WaveState, WaveUnit
from demo.answering import census_submissions, roster_census
from demo.followup import close_cases, open_followup, past_routing
from demo.submissions import store
from privacy.audit.record import record
from privacy.vault import key_ring
from survey.invitations.service import ensure_invitations
from survey.waves.rules import DEFAULT_BATTERY
from survey.waves.service import change_state


@dataclass(frozen=True)
class PastWave:
    """One earlier demo wave: its name, how long before now it opened, its census wave."""

    name: str
    opened_ago: dt.timedelta
    census_wave: int
    seed: int


PAST_WAVES = (
    PastWave("演示普查 2025 秋季 Demo wave (released)", dt.timedelta(days=420), 0, 20251015),
    PastWave("演示普查 2026 春季 Demo wave (released)", dt.timedelta(days=240), 1, 20260415),
)
WINDOW = dt.timedelta(days=14)
ANSWERED_WITHIN = dt.timedelta(days=12)
RELEASED_AFTER = dt.timedelta(days=30)  # after the close: the follow-up's first month is over


def seed_released_demo_waves(
    session: Session, now: dt.datetime, *, routing: RoutingPolicy
) -> list[Wave]:
    """Create, answer, close and release each earlier wave, oldest first (flushes)."""
    return [seed_past_wave(session, now, past, routing) for past in PAST_WAVES]


def seed_past_wave(
    session: Session, now: dt.datetime, past: PastWave, routing: RoutingPolicy
) -> Wave:
    """One earlier wave, from its census wave, released with its follow-up over (flushes)."""
    opens = now - past.opened_ago
    wave = Wave(
        name=past.name, battery=list(DEFAULT_BATTERY), opens_at=opens, closes_at=opens + WINDOW,
        state=WaveState.OPEN, created_at=opens, battery_locked_at=opens, units=[WaveUnit()],
    )  # fmt: skip
    session.add(wave)
    session.flush()
    ensure_invitations(session, wave, key_ring(), opens)
    census = roster_census(session)
    span = (opens, opens + ANSWERED_WITHIN)
    submissions = census_submissions(session, census, past.census_wave, wave, span, seed=past.seed)
    stored = store(session, wave, submissions)
    open_followup(session, wave, stored, past_routing(routing))
    close_cases(session, wave, past.seed)
    change_state(session, wave, "close", wave.closes_at)
    change_state(session, wave, "release", wave.closes_at + RELEASED_AFTER)
    record(session, "system", "demo.wave", object_type="wave", object_id=wave.id,
           detail={"released": True, "submitted": len(stored)})  # fmt: skip
    return wave
