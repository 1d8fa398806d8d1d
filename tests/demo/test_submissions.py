"""The demo's bulk submissions store what a teacher's own submission would, and its levels land
where the census's generating process is tuned. It reads the full demo seeded once for the session
(``tests/demo/conftest.py``): the shares are judged on the first wave's some 2,550 answers."""

from __future__ import annotations

import json
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from census.earlier_scores import earlier_scores
from census.models import Response, Wave
from demo.census import DEMO_TEACHERS
from scoring.levels import RiskLevel
from survey.teacher.flow import compiled_battery
from survey.teacher.submission import Outcome, score
from tests.demo.conftest import SeededDemo


def test_bulk_submissions_match_the_teacher_path_and_the_tuning(
    seeded_demo: SeededDemo, demo_session: Session
) -> None:
    assert seeded_demo.teachers == DEMO_TEACHERS
    first, second = (demo_session.get(Wave, i) for i in seeded_demo.released)
    assert first is not None and second is not None
    # The first wave has no earlier one: its levels are the census's as tuned under the default
    # policy (scoring/synthetic.py: about 3% crisis, 5% high, 22% moderate).
    rows = demo_session.scalars(select(Response).where(Response.wave_id == first.id)).all()
    assert len(rows) > 0.8 * DEMO_TEACHERS
    share = {level: n / len(rows) for level, n in Counter(r.risk_level for r in rows).items()}
    assert 0.015 < share[RiskLevel.CRISIS] < 0.045
    assert 0.03 < share[RiskLevel.HIGH] < 0.07
    assert 0.17 < share[RiskLevel.MODERATE] < 0.27
    assert share[RiskLevel.LOW] > 0.6
    # Every stored result of the second wave is what the teacher's own submission stores: the
    # last time read by census.earlier_scores, the answers scored by the survey's score().
    later = demo_session.scalars(
        select(Response).where(Response.wave_id == second.id).order_by(Response.pseudonym)
        .limit(150)
    ).all()  # fmt: skip
    plan = compiled_battery(tuple(second.battery))
    judged = 0
    for response in later:
        earlier = earlier_scores(demo_session, response.pseudonym, second.id, plan)
        judged += bool(earlier)
        answers = json.loads(response.answers or "{}")
        outcome = Outcome.of(score(second.battery, answers, earlier), earlier)
        assert response.risk_level is outcome.level
        assert json.loads(response.reasons or "[]") == outcome.reasons
        assert json.loads(response.scores or "{}") == json.loads(outcome.scores_json)
    assert judged > 100  # most answered the first wave too
