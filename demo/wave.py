"""The demo wave: open, default battery, about 60% of the demo teachers done with plausible answers.

Answers come from one latent "strain" per teacher (normal, reproducible seed) pushed through each
item's options, so that scales agree with each other the way real ones do. The levels land near
the published figures in instruments.md ("Context: the teachers": anxiety, GAD-7 >= 10, in about
18%, self-harm thoughts in about 3%) — synthetic, for a demo, never a norm. Submissions are stored
as the teacher flow stores them (sealed answers and scores, risk level, receipt), scored against
each teacher's answers in the earlier, released demo wave as a submission is (reliable change),
and open their cases and outreach through ``alerts.door``. Part of each teacher's strain is
theirs in every wave (``lasting_strains``), so that the two waves agree about as much as repeated
measurements do and only some teachers change reliably.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.door import open_case, open_outreach
from alerts.routing import RoutingPolicy
from census.earlier_scores import earlier_scores
from census.models import Invitation, InvitationStatus, Response, Wave, WaveState, WaveUnit
from instruments import Instrument, instruments_by_id
from org.models import Teacher
from privacy.audit.record import record
from privacy.vault import key_ring
from scoring.levels import RiskLevel
from survey.invitations.service import ensure_invitations
from survey.teacher.consent import CONSENT_VERSION
from survey.teacher.drafts import rule_ids
from survey.teacher.flow import compiled_battery
from survey.teacher.referral import referral_of
from survey.teacher.submission import new_receipt, score, scores_document
from survey.waves.rules import DEFAULT_BATTERY

DEMO_WAVE_NAME = "演示普查 2026 冬季 Demo wave"
COMPLETION = 0.6
SEED = 20261207
# Where an average teacher's strain sits on each scale (0 = least strained option, 1 = most) and
# how far the latent strain moves it. Tuned on 1,500 draws to crisis 2.9%, high 4.3%,
# moderate 23%, GAD-7 >= 10 in 19% (tests/demo/test_wave.py keeps the demo in that region).
BASELINE = {"phq9": 0.16, "gad7": 0.2, "who5": 0.3, "k10": 0.12, "pss10": 0.42, "cbi": 0.38}
SPREAD = {"phq9": 0.26, "gad7": 0.26, "who5": 0.2, "k10": 0.22, "pss10": 0.14, "cbi": 0.17}
# WHO-5 asks about wellbeing: more strain means lower answers (as reverse-keyed items).
WELLBEING = frozenset({"who5"})
SAFETY_ITEM, SAFETY_THRESHOLD = "phq9_9", 1.9
# The share of a teacher's latent strain that stays from wave to wave (latent correlation 0.64).
# The strain stays N(0, 1) in every wave, so the levels above keep their tuning.
LASTING, LASTING_SEED = 0.8, 20260101


@dataclass(frozen=True)
class DemoWave:
    """The wave, how many teachers answered, and one who has not (for the printed link)."""

    wave: Wave
    submitted: int
    waiting: Invitation | None


def _answer(rng: random.Random, inst: Instrument, strain: float) -> dict[str, int]:
    answers = {}
    for item in inst.items:
        values = [int(v) for v in item.values]
        position = BASELINE[inst.id] + SPREAD[inst.id] * (strain + rng.gauss(0, 0.8))
        if inst.id in WELLBEING or item.reverse:
            position = 1 - position
        index = min(max(round(position * (len(values) - 1)), 0), len(values) - 1)
        answers[item.id] = values[index]
    if inst.id == "phq9":
        answers[SAFETY_ITEM] = 1 if strain > SAFETY_THRESHOLD else 0
    return answers


def lasting_strains(n: int) -> list[float]:
    """The part of the strain that stays with each of ``n`` teachers, by their place in
    pseudonym order (the same in every demo wave), from a fixed seed: reproducible."""
    rng = random.Random(LASTING_SEED)
    return [rng.gauss(0, 1) for _ in range(n)]


def teacher_strain(lasting: float, rng: random.Random) -> float:
    """One teacher's strain in one wave: their ``lasting`` part and a fresh one (one draw of
    ``rng``, as ``synthetic_answers`` makes without it), N(0, 1) like either."""
    return LASTING * lasting + math.sqrt(1 - LASTING**2) * rng.gauss(0, 1)


def synthetic_answers(
    rng: random.Random, battery: list[str], strain: float | None = None
) -> dict[str, int]:
    """One teacher's complete answers to ``battery`` (a fresh strain unless ``strain``)."""
    known = instruments_by_id()
    strain = rng.gauss(0, 1) if strain is None else strain
    answers: dict[str, int] = {}
    for inst_id in battery:
        answers.update(_answer(rng, known[inst_id], strain))
    return answers


def _submit(
    session: Session,
    invitation: Invitation,
    answers: dict[str, int],
    now: dt.datetime,
    routing: RoutingPolicy,
) -> None:
    battery = invitation.wave.battery
    pseudonym = invitation.teacher.pseudonym
    earlier = earlier_scores(
        session, pseudonym, invitation.wave_id, compiled_battery(tuple(battery))
    )
    result = score(battery, answers, earlier)
    level = RiskLevel.from_code(result.level[0])
    reasons = rule_ids(int(result.reasons[0]), result.policy)
    response = Response(
        id=uuid.uuid4(), wave_id=invitation.wave_id, pseudonym=invitation.teacher.pseudonym,
        school_id=invitation.school_id, invitation_id=invitation.id,
        pages_saved=len(invitation.wave.battery), risk_level=level, submitted_at=now,
        receipt=new_receipt(), created_at=now, updated_at=now,
    )  # fmt: skip
    response.answers = json.dumps(answers, sort_keys=True)
    response.scores = json.dumps(scores_document(result, earlier), sort_keys=True)
    response.reasons = json.dumps(reasons)
    invitation.status = InvitationStatus.SUBMITTED
    invitation.identity_confirmed_at = invitation.consented_at = now
    invitation.consent_version = CONSENT_VERSION
    invitation.submitted_at = now
    session.add(response)
    session.flush()
    if level in (RiskLevel.CRISIS, RiskLevel.HIGH):
        open_case(session, referral_of(response, level, reasons), now, routing=routing)
    elif level is RiskLevel.MODERATE:
        open_outreach(session, referral_of(response, level, reasons), now)


def seed_demo_wave(
    session: Session, now: dt.datetime, seed: int = SEED, *, routing: RoutingPolicy
) -> DemoWave:
    """Create the open demo wave over the whole city and complete it for about 60%, the cases
    its answers open routed under ``routing`` (flushes)."""
    wave = Wave(
        name=DEMO_WAVE_NAME, battery=list(DEFAULT_BATTERY), opens_at=now - dt.timedelta(days=3),
        closes_at=now + dt.timedelta(days=11), state=WaveState.OPEN, created_at=now,
        battery_locked_at=now, units=[WaveUnit()],
    )  # fmt: skip
    session.add(wave)
    session.flush()
    ensure_invitations(session, wave, key_ring(), now)
    invitations = session.scalars(
        select(Invitation)
        .join(Teacher)
        .where(Invitation.wave_id == wave.id)
        .order_by(Teacher.pseudonym)
    ).all()
    rng = random.Random(seed)
    lasting = lasting_strains(len(invitations))
    submitted = 0
    for n, invitation in enumerate(invitations):
        if rng.random() < COMPLETION:
            when = wave.opens_at + dt.timedelta(minutes=17 * n % (3 * 24 * 60))
            strain = teacher_strain(lasting[n], rng)
            answers = synthetic_answers(rng, wave.battery, strain)
            _submit(session, invitation, answers, min(when, now), routing)
            submitted += 1
    record(session, "system", "demo.wave", object_type="wave", object_id=wave.id,
           detail={"submitted": submitted})  # fmt: skip
    return DemoWave(wave, submitted, waiting_invitation(session, wave))


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
