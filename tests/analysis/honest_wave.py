"""A wave of honest submitted responses to assess quality against, and one careless teacher.

Honest teachers answer from one latent distress (seeded): every item leans with it (WHO-5 and
reverse-keyed items the other way), with noise, and spend 4-10 s on each item. ``scoring.quality``
flags nobody below ``MIN_SAMPLE`` responses, so a wave here holds more than that.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
from sqlalchemy.orm import Session

from census.models import InvitationStatus, Response, Wave
from db import utcnow
from instruments import instruments_by_id
from org.models import School
from scoring.levels import RiskLevel
from scoring.quality import MIN_SAMPLE
from scoring.teacher_lines import ANALYSIS_BATTERY
from tests.support.factories.census import make_invitation
from tests.support.factories.org import make_teacher

HONEST = MIN_SAMPLE + 20


def honest_answers(rng: np.random.Generator) -> tuple[dict[str, int], dict[str, float]]:
    """One honest teacher's answers by item id and seconds per page."""
    z = rng.normal()
    answers, seconds = {}, {}
    for inst_id in ANALYSIS_BATTERY:
        inst = instruments_by_id()[inst_id]
        for item in inst.items:
            values = sorted(int(v) for v in item.values)
            lean = -1.0 if (inst_id == "who5") != item.reverse else 1.0
            spot = (len(values) - 1) * (0.35 + 0.2 * lean * z) + rng.normal(0, 0.7)
            answers[item.id] = values[int(np.clip(round(spot), 0, len(values) - 1))]
        seconds[inst_id] = round(float(rng.uniform(4, 10)) * inst.n_items, 1)
    return answers, seconds


def careless_answers() -> dict[str, int]:
    """The last option of every item, PHQ-9 item 9 ("nearly every day") among them."""
    known = instruments_by_id()
    return {
        item.id: int(max(item.values)) for inst in ANALYSIS_BATTERY for item in known[inst].items
    }


def add_response(
    session: Session,
    wave: Wave,
    school: School,
    answers: dict[str, int],
    seconds: dict[str, float],
    at: dt.datetime | None = None,
) -> Response:
    """A submitted response to ``wave`` with these answers and page times (sealed)."""
    teacher = make_teacher(session, school)
    invitation, _ = make_invitation(session, wave, teacher, status=InvitationStatus.SUBMITTED)
    response = Response(
        wave_id=wave.id,
        pseudonym=teacher.pseudonym,
        school_id=school.id,
        invitation_id=invitation.id,
        pages_saved=len(ANALYSIS_BATTERY),
        submitted_at=at or utcnow(),
        risk_level=RiskLevel.LOW,
    )
    response.answers = json.dumps(answers)
    response.timings = json.dumps(seconds)
    session.add(response)
    return response


def seed_honest(session: Session, wave: Wave, school: School, n: int = HONEST) -> None:
    """``n`` honest submitted responses to ``wave`` (seeded: the same every run)."""
    rng = np.random.default_rng(17)
    for _ in range(n):
        add_response(session, wave, school, *honest_answers(rng))
    session.flush()
