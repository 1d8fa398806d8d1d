"""A small released wave with committed-looking rows, for release and page tests."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid

from sqlalchemy.orm import Session

from census.models import Invitation, InvitationStatus, Response, Wave, WaveState, WaveUnit
from demo.wave import synthetic_answers
from instruments import instruments_by_id
from survey.teacher.submission import score, scores_document
from survey.waves.rules import DEFAULT_BATTERY
from tests.factories import make_school, make_teacher

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
            answer(session, wave, teacher, rng)
    session.flush()
    return wave


def answer(session: Session, wave: Wave, teacher: object, rng: random.Random) -> Response:
    """A submitted response of ``teacher`` to ``wave``."""
    invitation = Invitation(
        id=uuid.uuid4(),
        wave_id=wave.id,
        teacher_id=teacher.id,  # type: ignore[attr-defined]
        school_id=teacher.school_id,  # type: ignore[attr-defined]
        token_hash=uuid.uuid4().bytes * 2,
        status=InvitationStatus.SUBMITTED,
        consented_at=NOW,
        submitted_at=NOW,
    )
    session.add(invitation)
    session.flush()
    answers = synthetic_answers(rng, wave.battery)
    response = Response(id=uuid.uuid4(), wave_id=wave.id, pseudonym=teacher.pseudonym,  # type: ignore[attr-defined]
                        school_id=teacher.school_id, invitation_id=invitation.id,  # type: ignore[attr-defined]
                        submitted_at=NOW)  # fmt: skip
    response.answers = json.dumps(answers)
    response.scores = json.dumps(scores_document(score(wave.battery, answers)))
    session.add(response)
    return response


def phq9_answers(battery: list[str], phq9_total: int) -> dict[str, int]:
    """Lowest-risk answers (WHO-5 at its best), with PHQ-9 items 1–8 adding up to the total."""
    known = instruments_by_id()
    answers = {}
    for inst in battery:
        for item in known[inst].items:
            values = sorted(int(v) for v in item.values)
            answers[item.id] = values[-1] if inst == "who5" else values[0]
    for i in range(1, 9):  # item 9 stays 0: no crisis rule fires
        answers[f"phq9_{i}"] = min(3, max(0, phq9_total - 3 * (i - 1)))
    return answers


def respond_with_phq9(session: Session, wave: Wave, school: object, phq9_total: int) -> None:
    """A new teacher at ``school`` who submitted ``wave`` with this PHQ-9 total (0 to 24)."""
    teacher = make_teacher(session, school)  # type: ignore[arg-type]
    invitation = Invitation(id=uuid.uuid4(), wave_id=wave.id, teacher_id=teacher.id,
                            school_id=teacher.school_id, token_hash=uuid.uuid4().bytes * 2,
                            status=InvitationStatus.SUBMITTED, consented_at=NOW,
                            submitted_at=NOW)  # fmt: skip
    session.add(invitation)
    session.flush()
    answers = phq9_answers(list(wave.battery), phq9_total)
    result = score(list(wave.battery), answers)
    assert float(result.instruments["phq9"].scores["total"][0]) == phq9_total
    response = Response(id=uuid.uuid4(), wave_id=wave.id, pseudonym=teacher.pseudonym,
                        school_id=teacher.school_id, invitation_id=invitation.id,
                        submitted_at=NOW)  # fmt: skip
    response.answers = json.dumps(answers)
    response.scores = json.dumps(scores_document(result))
    session.add(response)
