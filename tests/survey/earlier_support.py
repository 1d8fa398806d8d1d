"""Submitted responses stored as the submission stores them, for the reliable-change tests."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from census.models import InvitationStatus, Response, Wave
from db import utcnow
from org.models import Teacher
from scoring.levels import RiskLevel
from survey.teacher import submission
from survey.teacher.flow import instruments_by_id
from tests.support.factories.census import make_invitation


def answers_for(battery: list[str], phq9: int = 0, **items: int) -> dict[str, int]:
    """Complete answers: PHQ-9 total ``phq9`` (item 9 unanswered "not at all"), every other
    item its lowest option but WHO-5 its highest (so the profile is low), then ``items``."""
    known = instruments_by_id()
    answers = {}
    for inst_id in battery:
        for item in known[inst_id].items:
            answers[item.id] = int(max(item.values) if inst_id == "who5" else min(item.values))
    if "phq9" in battery:
        for n in range(1, 9):  # items 1-8, three points at most each
            answers[f"phq9_{n}"] = min(3, max(0, phq9 - 3 * (n - 1)))
    answers.update(items)
    return answers


def submitted(
    session: Session,
    wave: Wave,
    teacher: Teacher,
    answers: dict[str, int],
    at: dt.datetime | None = None,
) -> Response:
    """The teacher's submitted response to ``wave``, scored without an earlier wave."""
    invitation, _ = make_invitation(session, wave, teacher)
    invitation.status = InvitationStatus.SUBMITTED
    outcome = submission.Outcome.of(submission.score(wave.battery, answers))
    when = at or utcnow()
    response = Response(
        wave_id=wave.id, pseudonym=teacher.pseudonym, school_id=teacher.school_id,
        invitation_id=invitation.id, pages_saved=len(wave.battery), submitted_at=when,
        receipt=submission.new_receipt(), risk_level=outcome.level or RiskLevel.LOW,
    )  # fmt: skip
    response.answers = json.dumps(answers)
    response.scores = outcome.scores_json
    response.reasons = json.dumps(outcome.reasons)
    session.add(response)
    session.flush()
    return response
