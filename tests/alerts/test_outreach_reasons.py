"""An outreach that becomes a case carries why it was offered: a psychologist who takes up a
teacher's caring outreach, or whom the teacher asks to talk to, reads the rule that fired (a
reliable deterioration since the previous wave, say) and how the change was judged."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from flask import Flask

from accounts.roles import Role
from alerts.intake import open_outreach, request_talk
from alerts.models import Case, Outreach
from alerts.routing import RoutingPolicy
from census.models import Response
from db import Database, utcnow
from scoring.levels import RiskLevel
from survey.teacher.referral import referral_of, submitted_referral
from tests.support.factories.census import make_response
from tests.support.factories.org import make_school, make_teacher
from tests.support.forms import csrf_token
from tests.support.staff import Staff, login

ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)

REASON = "phq9_reliable_deterioration"
# What survey.teacher.submission stores for a PHQ-9 that rose from 2 to 9 against the normative SD.
SCORES = {"phq9": {"scores": {"total": 9.0}, "bands": {"total": "mild"}, "flags":
          ["reliable_deterioration"], "level": "moderate", "change": {"since_wave": 1, "sd": 3.5,
          "sd_source": "normative", "threshold": 3.63, "direction": "deterioration"}}}  # fmt: skip


def _moderate_outreach(app: Flask, school: str) -> uuid.UUID:
    """A submitted moderate response of a teacher at ``school`` and its outreach (committed)."""
    database: Database = app.extensions["xinan.db"]
    with app.app_context():
        session = database.session()
        response = make_response(
            session, make_teacher(session, make_school(session, name=school, district="一区"))
        )
        response.scores = json.dumps(SCORES)
        response.reasons = json.dumps([REASON])
        response.risk_level = RiskLevel.MODERATE
        response.submitted_at = utcnow()
        outreach = open_outreach(session, referral_of(response, RiskLevel.MODERATE, []), utcnow())
        session.commit()
        outreach_id = outreach.id
        database.sessions.remove()
        return outreach_id


def test_a_psychologist_who_takes_up_the_outreach_reads_the_deterioration(
    web_app: Flask, make_staff: Callable[..., Staff]
) -> None:
    outreach_id = _moderate_outreach(web_app, "乙校")
    psychologist = make_staff(Role.PSYCHOLOGIST, school="乙校", linked=False)
    client = web_app.test_client()
    assert login(client, psychologist) == 302
    assert f"outreach-{outreach_id}" in client.get("/outreach").get_data(as_text=True)
    taken = client.post(f"/outreach/{outreach_id}/take",
                        data={"csrf_token": csrf_token(client, "/outreach")})  # fmt: skip
    assert taken.status_code == 302
    database: Database = web_app.extensions["xinan.db"]
    with web_app.app_context():
        session = database.session()
        outreach = session.get_one(Outreach, outreach_id)
        case = session.get_one(Case, outreach.case_id)
        assert json.loads(case.reasons or "[]") == [REASON]
        case_id = case.id
        database.sessions.remove()
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "PHQ-9 总分较上一轮调查出现可靠的恶化" in page
    assert 'id="change-phq9"' in page and "可靠恶化" in page and "3.63" in page
    assert "取自公开常模" in page  # the fallback SD is named as such


def test_a_teacher_who_asks_to_talk_opens_a_case_with_the_reason(web_app: Flask) -> None:
    outreach_id = _moderate_outreach(web_app, "丙校")
    database: Database = web_app.extensions["xinan.db"]
    with web_app.app_context():
        session = database.session()
        outreach = session.get_one(Outreach, outreach_id)
        response = session.get_one(Response, outreach.response_id)
        case = request_talk(session, submitted_referral(response), utcnow(), routing=ROUTING)
        assert case.level is RiskLevel.MODERATE
        assert json.loads(case.reasons or "[]") == [REASON]
        session.rollback()
        database.sessions.remove()
