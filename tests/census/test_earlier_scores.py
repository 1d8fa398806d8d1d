"""What a submission's reliable change is judged against, and that every change rule is fed.

"Last time" for one instrument is the most recent closed earlier wave in which the teacher's
submission stands and holds that instrument; the SD is that wave's frozen SD, else the normative SD
pinned in the instrument file, else none (not assessed). Jacobson & Truax (J Consult Clin Psychol
1991;59:12). On both databases.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts.models import Case, Outreach
from alerts.routing import RoutingPolicy
from census.earlier_scores import Earlier, earlier_documents, earlier_scores
from census.models import Invitation, InvitationStatus, Response, Wave, WaveScoreSpread, WaveState
from db import utcnow
from instruments import instruments_by_id
from org.models import Teacher
from scoring import default_policy
from scoring.levels import RiskLevel
from survey.teacher import drafts, link, submission
from survey.teacher.consent import withdraw
from survey.teacher.feedback import changes_for, earlier_waves
from survey.teacher.flow import compiled_battery, page_order
from tests.support.factories.census import (
    DEFAULT_BATTERY,
    answers_for,
    make_invitation,
    make_submitted_response,
    make_wave,
)
from tests.support.factories.links import load_link
from tests.support.factories.org import make_school, make_teacher

ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)

BATTERY = ["phq9", "gad7"]
DAY = dt.timedelta(days=1)


def _closed(session: Session, weeks_ago: int, battery: list[str] = BATTERY) -> Wave:
    closes = utcnow() - weeks_ago * 7 * DAY
    return make_wave(session, battery=battery, state=WaveState.CLOSED,
                     opens_at=closes - 14 * DAY, closes_at=closes)  # fmt: skip


def _last_time(session: Session, who: Teacher, current: Wave) -> dict[str, Earlier]:
    plan = compiled_battery(tuple(current.battery))
    return earlier_scores(session, who.pseudonym, current.id, plan)


def test_last_time_is_the_most_recent_closed_wave_the_teacher_answered(
    db_session: Session,
) -> None:
    school = make_school(db_session)
    me, other = make_teacher(db_session, school), make_teacher(db_session, school)
    older, last, still_open = (
        _closed(db_session, 30),
        _closed(db_session, 10),
        make_wave(db_session),
    )
    make_submitted_response(db_session, older, me, answers_for(BATTERY, 3))
    make_submitted_response(db_session, last, me, answers_for(BATTERY, 5))
    make_submitted_response(db_session, last, other, answers_for(BATTERY, 20))
    make_submitted_response(
        db_session, still_open, me, answers_for(BATTERY, 7)
    )  # not closed: not last time
    current = make_wave(db_session, battery=BATTERY)
    assert _last_time(db_session, me, current) == {
        "phq9": Earlier(last.id, 5.0, 3.5, "normative"),  # the pinned normative SD
        "gad7": Earlier(last.id, 0.0, None, None),  # none pinned: not assessed
    }


def test_withdrawn_and_erased_answers_are_passed_over(db_session: Session) -> None:
    me = make_teacher(db_session, make_school(db_session))
    older, erased, withdrawn = (
        _closed(db_session, 30),
        _closed(db_session, 20),
        _closed(db_session, 10),
    )
    make_submitted_response(db_session, older, me, answers_for(BATTERY, 3))
    gone = make_submitted_response(db_session, erased, me, answers_for(BATTERY, 4))
    erase = {"scores_sealed": None, "answers_sealed": None, "risk_level": None}  # as retention
    db_session.execute(update(Response).where(Response.id == gone.id).values(**erase))
    taken_back = make_submitted_response(db_session, withdrawn, me, answers_for(BATTERY, 5))
    withdraw(db_session, db_session.get_one(Invitation, taken_back.invitation_id), utcnow())
    current = make_wave(db_session, battery=BATTERY)
    assert _last_time(db_session, me, current)["phq9"] == Earlier(older.id, 3.0, 3.5, "normative")


def test_each_instrument_looks_back_to_the_last_wave_that_had_it(db_session: Session) -> None:
    me = make_teacher(db_session, make_school(db_session))
    both, gad7_only = _closed(db_session, 20), _closed(db_session, 10, ["gad7"])
    make_submitted_response(db_session, both, me, answers_for(BATTERY, 6))
    make_submitted_response(db_session, gad7_only, me, answers_for(["gad7"], gad7_1=2))
    found = _last_time(db_session, me, make_wave(db_session, battery=BATTERY))
    assert (found["phq9"].wave_id, found["phq9"].score) == (both.id, 6.0)
    assert (found["gad7"].wave_id, found["gad7"].score) == (gad7_only.id, 2.0)


def test_the_wave_s_own_frozen_sd_comes_before_the_norm(db_session: Session) -> None:
    me = make_teacher(db_session, make_school(db_session))
    last = _closed(db_session, 10)
    make_submitted_response(db_session, last, me, answers_for(BATTERY, 5))
    db_session.add(WaveScoreSpread(wave_id=last.id, instrument="phq9", score="total",
                                   respondents=4000, sd=4.2, frozen_at=last.closes_at))  # fmt: skip
    db_session.flush()
    found = _last_time(db_session, me, make_wave(db_session, battery=BATTERY))
    assert found["phq9"] == Earlier(last.id, 5.0, 4.2, "wave")


def _submit_through_the_pages(
    session: Session, wave: Wave, who: Teacher, answers: dict[str, int]
) -> Response:
    """Consent, save every page as the teacher's pages do, and submit."""
    invitation, token = make_invitation(session, wave, who)
    invitation.status, invitation.consented_at = InvitationStatus.STARTED, utcnow()
    session.flush()
    known = instruments_by_id()
    for number, inst_id in enumerate(page_order(wave.battery), start=1):
        page = {item.id: answers[item.id] for item in known[inst_id].items}
        drafts.save_page(
            session, *load_link(session, token), number, page, utcnow(), routing=ROUTING
        )
    found = link.read_entities_with_draft(session, token)
    assert found is not None
    submission.submit(session, found[0], tuple(wave.battery), utcnow(), found[1], routing=ROUTING)
    return session.scalars(select(Response).where(Response.invitation_id == invitation.id)).one()


# A clear worsening of each instrument whose deterioration is a rule of the default policy, on
# its own: nothing else in the profile fires (WHO-5 60 % is above 28 %; PSS-10 has no bands).
WORSE = {
    "phq9": {"phq9_1": 3, "phq9_2": 3},  # 0 -> 6
    "gad7": {"gad7_1": 3, "gad7_2": 3},  # 0 -> 6
    "who5": {f"who5_{n}": 3 for n in range(1, 6)},  # 100 % -> 60 %
    "pss10": {f"pss10_{n}": 2 for n in (1, 2, 3, 6, 9, 10)},  # 16 -> 28
}
CHANGE_RULES = [r for r in default_policy().rules if r.target == "reliable_deterioration"]


@pytest.mark.parametrize("rule", CHANGE_RULES, ids=[r.id for r in CHANGE_RULES])
def test_every_deterioration_rule_of_the_policy_fires_on_the_submission_path(
    db_session: Session, rule: object
) -> None:
    instrument, rule_id = rule.instrument, rule.id  # type: ignore[attr-defined]
    me = make_teacher(db_session, make_school(db_session))
    last = _closed(db_session, 10, DEFAULT_BATTERY)
    make_submitted_response(db_session, last, me, answers_for(DEFAULT_BATTERY))
    setting = default_policy().reliable_change(instrument)
    assert setting is not None
    db_session.add(WaveScoreSpread(wave_id=last.id, instrument=instrument, score=setting.score,
                                   respondents=4000, sd=1.0, frozen_at=last.closes_at))  # fmt: skip
    current = make_wave(db_session, battery=DEFAULT_BATTERY)
    answers = answers_for(DEFAULT_BATTERY, **WORSE[instrument])
    response = _submit_through_the_pages(db_session, current, me, answers)
    assert json.loads(response.reasons or "[]") == [rule_id]
    assert response.risk_level is RiskLevel.MODERATE
    assert db_session.scalar(select(Outreach.id).where(Outreach.response_id == response.id))


@pytest.mark.parametrize(("item9", "level"), [(0, RiskLevel.HIGH), (1, RiskLevel.CRISIS)])
def test_a_deterioration_never_lowers_a_level(
    db_session: Session, item9: int, level: RiskLevel
) -> None:
    me = make_teacher(db_session, make_school(db_session))
    last = _closed(db_session, 10)
    make_submitted_response(db_session, last, me, answers_for(BATTERY, 0))
    answers = answers_for(BATTERY, 16, phq9_9=item9)  # a crisis case opens at the page save
    response = _submit_through_the_pages(
        db_session, make_wave(db_session, battery=BATTERY), me, answers
    )
    assert response.risk_level is level
    reasons = set(json.loads(response.reasons or "[]"))
    assert {"phq9_total_15_plus", "phq9_reliable_deterioration"} <= reasons
    case = db_session.scalars(select(Case).where(Case.response_id == response.id)).one()
    assert case.level is level and "phq9_reliable_deterioration" in json.loads(case.reasons or "[]")
    assert db_session.scalar(select(Outreach.id).where(Outreach.response_id == response.id)) is None


def test_the_teacher_is_told_no_change_against_answers_withdrawn_since(
    db_session: Session,
) -> None:
    me = make_teacher(db_session, make_school(db_session))
    last = _closed(db_session, 10)
    earlier = make_submitted_response(db_session, last, me, answers_for(BATTERY, 2))
    current = make_wave(db_session, battery=BATTERY)
    response = _submit_through_the_pages(db_session, current, me, answers_for(BATTERY, 9))
    scores = response.scores
    kept = earlier_documents(db_session, response.id, earlier_waves(scores))
    [phq9, gad7] = changes_for(current.battery, scores, kept)
    assert (phq9.name, phq9.before, phq9.now, phq9.verdict) == ("PHQ-9", "2", "9", "heavier")
    assert (gad7.name, gad7.verdict) == ("GAD-7", None)  # too few last time, and no norm
    withdraw(db_session, db_session.get_one(Invitation, earlier.invitation_id), utcnow())
    gone = earlier_documents(db_session, response.id, earlier_waves(scores))
    assert gone == {} and changes_for(current.battery, scores, gone) == []
