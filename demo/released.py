"""An earlier demo wave, answered, closed and released: so the analyst has a report to open.

It runs the real path a system administrator takes — invitations for the whole city, submitted
responses with sealed answers and scores, ``change_state`` to close and then to release, which
builds and freezes the report (closing also freezes its score spreads, against which the open
demo wave's reliable change is judged). Its follow-up is long over, so it opens no cases.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import uuid
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from census.models import Invitation, InvitationStatus, Response, Wave, WaveState, WaveUnit
from demo.wave import lasting_strains, synthetic_answers, teacher_strain
from instruments import instruments_by_id
from org.models import Teacher
from privacy.audit.record import record
from privacy.vault import key_ring
from scoring import default_policy, level_name
from scoring.codes import flag_names
from scoring.engine import score_battery
from survey.invitations.service import ensure_invitations
from survey.teacher.consent import CONSENT_VERSION
from survey.teacher.submission import new_receipt
from survey.waves.rules import DEFAULT_BATTERY
from survey.waves.service import change_state

RELEASED_WAVE_NAME = "演示普查 2026 春季 Demo wave (released)"
COMPLETION = 0.8
SEED = 20260415


def scores_documents(battery: list[str], answer_sets: list[dict[str, int]]) -> list[str]:
    """Every answer set scored in one pass of the engine; each one's scores document (JSON).

    The same document ``survey.teacher.submission.scores_document`` writes for one response.
    """
    known = instruments_by_id()
    rows = [[a.get(item.id, math.nan) for i in battery for item in known[i].items]
            for a in answer_sets]  # fmt: skip
    result = score_battery(list(battery), np.array(rows, dtype=np.float64), default_policy())
    docs: list[dict[str, Any]] = [{} for _ in answer_sets]
    for inst_id, res in result.instruments.items():
        names = flag_names(res.instrument)
        for n, doc in enumerate(docs):
            doc[inst_id] = {
                "scores": {name: None if math.isnan(float(v[n])) else round(float(v[n]), 4)
                           for name, v in res.scores.items()},
                "bands": {name: res.band(name, n) for name in res.bands},
                "flags": [f for bit, f in enumerate(names) if int(res.flags[n]) >> bit & 1],
                "level": level_name(int(res.level[n])),
            }  # fmt: skip
    return [json.dumps(d) for d in docs]


def store_submitted(
    session: Session, invitation: Invitation, when: dt.datetime, answers: dict[str, int], doc: str
) -> None:
    """Store the invitation's submitted response (``doc`` from ``scores_documents``)."""
    response = Response(
        id=uuid.uuid4(), wave_id=invitation.wave_id, pseudonym=invitation.teacher.pseudonym,
        school_id=invitation.school_id, invitation_id=invitation.id,
        pages_saved=len(invitation.wave.battery), submitted_at=when, receipt=new_receipt(),
        created_at=when, updated_at=when,
    )  # fmt: skip
    response.answers = json.dumps(answers, sort_keys=True)
    response.scores = doc
    invitation.status = InvitationStatus.SUBMITTED
    invitation.identity_confirmed_at = invitation.consented_at = invitation.submitted_at = when
    invitation.consent_version = CONSENT_VERSION
    session.add(response)


def seed_released_demo_wave(session: Session, now: dt.datetime, seed: int = SEED) -> Wave:
    """Create the earlier wave, answer it for about 80%, close and release it (flushes)."""
    opens = now - dt.timedelta(days=240)
    wave = Wave(
        name=RELEASED_WAVE_NAME, battery=list(DEFAULT_BATTERY), opens_at=opens,
        closes_at=opens + dt.timedelta(days=14), state=WaveState.OPEN, created_at=opens,
        battery_locked_at=opens, units=[WaveUnit()],
    )  # fmt: skip
    session.add(wave)
    session.flush()
    ensure_invitations(session, wave, key_ring(), opens)
    invitations = session.scalars(
        select(Invitation).join(Teacher).where(Invitation.wave_id == wave.id)
        .order_by(Teacher.pseudonym)
    ).all()  # fmt: skip
    rng = random.Random(seed)
    chosen = [(n, inv) for n, inv in enumerate(invitations) if rng.random() < COMPLETION]
    lasting = lasting_strains(len(invitations))
    answer_sets = [
        synthetic_answers(rng, wave.battery, teacher_strain(lasting[n], rng)) for n, _ in chosen
    ]
    docs = scores_documents(wave.battery, answer_sets)
    for (n, invitation), answers, doc in zip(chosen, answer_sets, docs, strict=True):
        when = opens + dt.timedelta(minutes=23 * n % (10 * 24 * 60))
        store_submitted(session, invitation, when, answers, doc)
    session.flush()
    change_state(session, wave, "close", wave.closes_at)
    change_state(session, wave, "release", wave.closes_at + dt.timedelta(days=30))
    record(session, "system", "demo.wave", object_type="wave", object_id=wave.id,
           detail={"released": True})  # fmt: skip
    return wave
