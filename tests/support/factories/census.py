"""Waves, invitations and responses: ``make_wave(session, battery, **overrides)``, and answers.

The census is what ``census/models.py`` holds; these rows are made as the app would make them
(a link token derived from the invitation, answers sealed under the installed key ring).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy.orm import Session

from census.models import Invitation, InvitationStatus, Response, Wave, WaveState, WaveUnit
from db import utcnow
from instruments import instruments_by_id
from org.models import Teacher
from privacy.vault import key_ring
from scoring.levels import RiskLevel
from survey.invitations.links import link_token, token_hash
from survey.teacher import submission
from survey.teacher.flow import page_order
from tests.support.factories.org import make_school, make_teacher
from tests.support.teacher import page_answers

DEFAULT_BATTERY = ["phq9", "gad7", "who5", "k10", "pss10", "cbi"]
# A Monday morning in Guangzhou: 2026-12-07 09:00 +08:00, when the jobs tests' waves open.
T0 = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)


def make_wave(
    session: Session,
    battery: list[str] | None = None,
    *,
    opens_at: dt.datetime | None = None,
    days: int = 7,
    **overrides: Any,
) -> Wave:
    """An open wave of ``battery`` over the whole city: from an hour ago until ``days`` days
    from now, or from ``opens_at`` for ``days`` days. ``overrides`` set any other column
    (``state``, ``closes_at``, ``units``, ``name``)."""
    now = utcnow()
    values: dict[str, Any] = {
        "name": "2026 秋季普查",
        "battery": list(battery or DEFAULT_BATTERY),
        "opens_at": opens_at or now - dt.timedelta(hours=1),
        "closes_at": (opens_at or now) + dt.timedelta(days=days),
        "state": WaveState.OPEN,
        "units": [WaveUnit()],
    }
    values.update(overrides)
    wave = Wave(**values)
    session.add(wave)
    session.flush()
    return wave


def make_invitation(
    session: Session, wave: Wave | None = None, teacher: Teacher | None = None, **fields: Any
) -> tuple[Invitation, str]:
    """An invitation and its link token (the token is derived, as the real app derives it);
    ``fields`` set any other column (``status``, ``consented_at``, ``submitted_at``)."""
    wave = wave or make_wave(session)
    teacher = teacher or make_teacher(session, make_school(session))
    invitation = Invitation(
        id=uuid.uuid4(),
        wave_id=wave.id,
        teacher_id=teacher.id,
        school_id=teacher.school_id,
        **fields,
    )
    token = link_token(key_ring(), invitation.id)
    invitation.token_hash = token_hash(token)
    session.add(invitation)
    session.flush()
    return invitation, token


def make_consented_invitation(session: Session) -> tuple[Invitation, str]:
    """An invitation whose teacher has consented and may answer, with its link token."""
    invitation, token = make_invitation(session)
    invitation.status = InvitationStatus.STARTED
    invitation.consented_at = utcnow()
    session.flush()
    return invitation, token


def make_response(
    session: Session,
    teacher: Teacher | None = None,
    wave: Wave | None = None,
    *,
    invitation: Invitation | None = None,
    **fields: Any,
) -> Response:
    """A response to ``invitation`` (by default a new invitation of ``teacher`` to ``wave``,
    each new by default): a bare draft, unless ``fields`` set more (``submitted_at``, and
    ``answers``, ``scores`` and ``reasons`` as JSON texts, sealed as the app seals them)."""
    if invitation is None:
        invitation, _ = make_invitation(session, wave or make_wave(session), teacher)
    response = Response(
        wave_id=invitation.wave_id,
        pseudonym=invitation.teacher.pseudonym,
        school_id=invitation.school_id,
        invitation_id=invitation.id,
    )
    for field, value in fields.items():
        setattr(response, field, value)
    session.add(response)
    session.flush()
    return response


def make_submitted_response(
    session: Session,
    wave: Wave,
    teacher: Teacher,
    answers: dict[str, int],
    at: dt.datetime | None = None,
) -> Response:
    """The teacher's submitted response to ``wave``, scored and stored as the submission stores
    it (receipt, level, reasons), without an earlier wave."""
    invitation, _ = make_invitation(session, wave, teacher, status=InvitationStatus.SUBMITTED)
    outcome = submission.Outcome.of(submission.score(wave.battery, answers))
    return make_response(
        session,
        invitation=invitation,
        pages_saved=len(wave.battery),
        submitted_at=at or utcnow(),
        receipt=submission.new_receipt(),
        risk_level=outcome.level or RiskLevel.LOW,
        answers=json.dumps(answers),
        scores=outcome.scores_json,
        reasons=json.dumps(outcome.reasons),
    )


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


def page_values(number: int, value: int | None = None, **overrides: int) -> dict[str, int]:
    """Answers to every item of page ``number`` of the default battery (lowest options)."""
    fields = page_answers(page_order(DEFAULT_BATTERY)[number - 1], value, **overrides)
    return {item: int(chosen) for item, chosen in fields.items()}
