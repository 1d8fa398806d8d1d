"""The open demo wave: default battery, about 60% of the demo teachers done so far.

Its answers are the demo census's last wave (``demo.census``), from the same generating process as
the released waves', so the levels land near that process's tuning (about 3% crisis, 5% high,
22% moderate under the default policy) — synthetic, for a demo, never a norm. Submissions are
stored as the teacher flow stores them (``demo.submissions``: sealed answers, scores and page
times, risk level, receipt), scored against each teacher's last time in the released demo waves
(reliable change), and open their cases and outreach through ``alerts.door``, routed under the
app's settings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.door import RoutingPolicy
from census.models import Invitation, InvitationStatus, Wave, WaveState, WaveUnit
from demo.answering import census_submissions, roster_census, synthetic_answers
from demo.census import DEMO_WAVES
from demo.followup import open_followup
from demo.submissions import store
from org.models import Teacher
from privacy.audit.record import record
from privacy.vault import key_ring
from survey.invitations.service import ensure_invitations
from survey.waves.rules import DEFAULT_BATTERY

__all__ = ["DemoWave", "demo_wave", "seed_demo_wave", "synthetic_answers", "waiting_invitation"]

DEMO_WAVE_NAME = "演示普查 2026 冬季 Demo wave"
COMPLETION = 0.6
SEED = 20261207
OPENED_AGO = dt.timedelta(days=3)


@dataclass(frozen=True)
class DemoWave:
    """The wave, how many teachers answered, and one who has not (for the printed link)."""

    wave: Wave
    submitted: int
    waiting: Invitation | None


def seed_demo_wave(
    session: Session, now: dt.datetime, seed: int = SEED, *, routing: RoutingPolicy
) -> DemoWave:
    """Create the open demo wave over the whole city and complete it for about 60%, the cases
    its answers open routed under ``routing`` (flushes)."""
    opens = now - OPENED_AGO
    wave = Wave(
        name=DEMO_WAVE_NAME, battery=list(DEFAULT_BATTERY), opens_at=opens,
        closes_at=now + dt.timedelta(days=11), state=WaveState.OPEN, created_at=opens,
        battery_locked_at=opens, units=[WaveUnit()],
    )  # fmt: skip
    session.add(wave)
    session.flush()
    ensure_invitations(session, wave, key_ring(), opens)
    census = roster_census(session)
    submissions = census_submissions(
        session, census, DEMO_WAVES - 1, wave, (opens, now), share=COMPLETION, seed=seed
    )
    stored = store(session, wave, submissions)
    open_followup(session, wave, stored, routing)
    record(session, "system", "demo.wave", object_type="wave", object_id=wave.id,
           detail={"submitted": len(stored)})  # fmt: skip
    return DemoWave(wave, len(stored), waiting_invitation(session, wave))


def waiting_invitation(session: Session, wave: Wave) -> Invitation | None:
    """An invitation of the wave whose teacher has not answered yet (the first by pseudonym)."""
    return session.scalars(
        select(Invitation)
        .join(Teacher)
        .where(Invitation.wave_id == wave.id, Invitation.status == InvitationStatus.INVITED)
        .order_by(Teacher.pseudonym)
        .limit(1)
    ).first()


def demo_wave(session: Session) -> Wave | None:
    """The demo wave, if it was seeded."""
    return session.scalars(select(Wave).where(Wave.name == DEMO_WAVE_NAME)).first()
