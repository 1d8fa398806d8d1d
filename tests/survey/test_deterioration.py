"""Reliable deterioration since the teacher's last wave fires on the real submission path.

Two waves, three teachers, every answer through the teacher's pages, on both databases. Between
the waves the first one closes as an administrator closes it (``change_state``), which freezes its
score spreads. Jacobson & Truax (J Consult Clin Psychol 1991;59:12): a change is reliable when
|Δ| > 1.96 · SD · √(2(1 − r)); PHQ-9 r = 0.86 (Wang 2014). The first wave has two PHQ-9s, too
few for its own SD, so the normative SD pinned in ``instruments/phq9.toml`` (3.5, Kocalevent
2013) is used: the threshold is 1.96 · 3.5 · √0.28 = 3.63 points.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import Case, Outreach
from census.models import Response, Wave, WaveScoreSpread
from db import utcnow
from org.models import Teacher
from scoring.levels import RiskLevel
from survey.waves.service import change_state
from tests.support.factories.census import make_invitation, make_wave
from tests.support.factories.links import Link, response_of
from tests.support.factories.org import make_school, make_teacher
from tests.support.teacher import LOW, finish

PHQ9_TOTAL_2 = {**LOW, "phq9_1": 1, "phq9_2": 1}
PHQ9_TOTAL_9 = {**LOW, "phq9_1": 2, "phq9_2": 2, "phq9_3": 2, "phq9_4": 2, "phq9_5": 1}


@dataclass
class Answered:
    """A teacher's browser, link and stored response after submitting."""

    browser: FlaskClient
    link: Link
    response: Response

    def results(self) -> str:
        """The teacher's results page, behind their PIN (this browser has entered it)."""
        return self.browser.get(f"{self.link.url}/results").get_data(as_text=True)

    def stored(self, part: str) -> object:
        """``scores`` or ``reasons`` as the response holds them."""
        return json.loads(getattr(self.response, part) or "null")


def _answer(app: Flask, wave: Wave, teacher: Teacher, answers: dict[str, int]) -> Answered:
    """One teacher's whole flow in a browser of their own."""
    session = app.extensions["xinan.db"].session()
    invitation, token = make_invitation(session, wave, teacher)
    link = Link(invitation, token, teacher.phone or "", list(wave.battery))
    browser = app.test_client()
    finish(browser, link, answers)
    response = response_of(session, link)
    assert response is not None
    return Answered(browser, link, response)


@pytest.mark.usefixtures("client")
def test_a_teacher_whose_phq9_rose_from_2_to_9_is_reached_and_the_others_stay_low(
    app: Flask, db_session: Session
) -> None:
    school = make_school(db_session)
    rose, steady, newcomer = (make_teacher(db_session, school) for _ in range(3))
    first = make_wave(db_session, name="2026 春季普查")
    _answer(app, first, rose, PHQ9_TOTAL_2)
    _answer(app, first, steady, PHQ9_TOTAL_9)
    # Each request ends its session: the wave is read again, as the administrator's page would.
    change_state(db_session, db_session.get_one(Wave, first.id), "close", utcnow())
    frozen = db_session.get(WaveScoreSpread, (first.id, "phq9", "total"))
    assert frozen is not None and (frozen.respondents, frozen.sd) == (2, None)  # too few for one

    second = make_wave(db_session, name="2026 秋季普查")
    reached = _answer(app, second, rose, PHQ9_TOTAL_9)
    same = _answer(app, second, steady, PHQ9_TOTAL_9)
    first_time = _answer(app, second, newcomer, PHQ9_TOTAL_9)

    assert reached.response.risk_level is RiskLevel.MODERATE
    assert reached.stored("reasons") == ["phq9_reliable_deterioration"]
    outreach = db_session.scalars(
        select(Outreach).where(Outreach.response_id == reached.response.id)
    ).one()
    assert outreach.pseudonym == rose.pseudonym
    assert reached.stored("scores")["phq9"]["change"] == {  # type: ignore[index]
        "since_wave": first.id, "sd": 3.5, "sd_source": "normative", "threshold": 3.63,
        "direction": "deterioration",
    }  # fmt: skip
    for stays_low in (same, first_time):
        assert stays_low.response.risk_level is RiskLevel.LOW
        assert stays_low.stored("reasons") == []
    assert same.stored("scores")["phq9"]["change"]["direction"] == "none"  # type: ignore[index]
    assert "change" not in first_time.stored("scores")["phq9"]  # type: ignore[index]
    others = select(Outreach.id).where(Outreach.response_id != reached.response.id)
    assert db_session.scalar(others) is None
    assert db_session.scalar(select(Case.id)) is None

    words = reached.results()
    assert "PHQ-9：上次 2 分，这次 9 分，明显加重。" in words
    assert "心理老师聊一聊" in words
    reached.browser.get(f"/lang/en?next={reached.link.url}")
    assert "PHQ-9: 2 last time, 9 this time: clearly heavier." in reached.results()
    assert "PHQ-9：上次 9 分，这次 9 分，没有明显变化。" in same.results()
    told = first_time.results()
    assert 'id="result-1"' in told and "上次" not in told
