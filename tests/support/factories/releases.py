"""A small released wave with committed-looking rows, for the release and report page tests."""

from __future__ import annotations

import datetime as dt
import json
import random

from sqlalchemy.orm import Session

from census.models import InvitationStatus, Response, Wave, WaveState, WaveUnit
from demo.wave import synthetic_answers
from org.models import School, Teacher
from survey.teacher.submission import score, scores_document
from survey.waves.rules import DEFAULT_BATTERY
from tests.support.factories.census import answers_for, make_invitation, make_response
from tests.support.factories.org import make_school, make_teacher

NOW = dt.datetime(2026, 12, 20, 8, 0, tzinfo=dt.UTC)
CANARY = "金丝雀教师"


def released_wave(session: Session, sizes: dict[tuple[str, str], int], name: str = "W1") -> Wave:
    """A wave released at NOW with ``sizes[(district, school)]`` respondents each."""
    wave = Wave(name=name, battery=list(DEFAULT_BATTERY), opens_at=NOW - dt.timedelta(days=20),
                closes_at=NOW - dt.timedelta(days=5), state=WaveState.RELEASED, released_at=NOW,
                units=[WaveUnit()])  # fmt: skip
    session.add(wave)
    session.flush()
    rng = random.Random(7)
    for (district, school_name), n in sizes.items():
        school = make_school(session, name=school_name, district=district)
        for _ in range(n):
            teacher = make_teacher(session, school, name=CANARY, gender=rng.choice("女男"))
            respond(session, wave, teacher, synthetic_answers(rng, wave.battery))
    session.flush()
    return wave


def respond(session: Session, wave: Wave, teacher: Teacher, answers: dict[str, int]) -> Response:
    """``teacher``'s response to ``wave`` with ``answers``, submitted at NOW and scored."""
    invitation, _ = make_invitation(
        session,
        wave,
        teacher,
        status=InvitationStatus.SUBMITTED,
        consented_at=NOW,
        submitted_at=NOW,
    )
    return make_response(
        session,
        invitation=invitation,
        submitted_at=NOW,
        answers=json.dumps(answers),
        scores=json.dumps(scores_document(score(wave.battery, answers))),
    )


def respond_with_phq9(session: Session, wave: Wave, school: School, phq9_total: int) -> None:
    """A new teacher at ``school`` who submitted ``wave`` with this PHQ-9 total (0 to 24)."""
    answers = answers_for(list(wave.battery), phq9=phq9_total)
    result = score(list(wave.battery), answers)
    assert float(result.instruments["phq9"].scores["total"][0]) == phq9_total
    respond(session, wave, make_teacher(session, school), answers)
