"""The earlier demo wave: released through the real path, so the analyst has a report."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.passwords import HashCost, Passwords
from alerts.models import Case
from census.models import WaveState
from demo.released import seed_released_demo_wave
from demo.seed import seed_demo
from reports.service import released_waves

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def test_the_earlier_demo_wave_is_released_with_a_frozen_report(db_session: Session) -> None:
    seed_demo(
        db_session, Passwords(HashCost(time_cost=1, memory_kib=1024, parallelism=1)), "S" * 32, NOW
    )
    wave = seed_released_demo_wave(db_session, NOW)
    assert wave.state is WaveState.RELEASED and wave.closes_at < NOW
    [(listed, release)] = released_waves(db_session)
    assert listed.id == wave.id
    respondents = int(str(release.document["respondents"]))
    assert 200 <= respondents <= 280
    assert release.charts and "全市 City" in json.dumps(release.document, ensure_ascii=False)
    assert db_session.scalar(select(func.count(Case.id))) == 0


def test_the_demo_scores_documents_match_the_teacher_flows(db_session: Session) -> None:
    import random

    from demo.released import scores_documents
    from demo.wave import synthetic_answers
    from survey.teacher.submission import score, scores_document
    from survey.waves.rules import DEFAULT_BATTERY

    rng = random.Random(3)
    answers = [synthetic_answers(rng, list(DEFAULT_BATTERY)) for _ in range(5)]
    docs = scores_documents(list(DEFAULT_BATTERY), answers)
    for one, doc in zip(answers, docs, strict=True):
        assert json.loads(doc) == scores_document(score(list(DEFAULT_BATTERY), one))
