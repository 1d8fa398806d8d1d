"""A wave's score spreads are frozen once, when it closes, from the submissions that stand then.

The SD is the sample SD (ddof = 1) of the wave's whole distribution, as Jacobson & Truax use it
(J Consult Clin Psychol 1991;59:12); fewer than 30 complete answers, or answers all alike, keep
only the count (scoring.change.MIN_WAVE_RESPONDENTS). On both databases.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from census.models import Invitation, Response, Wave, WaveScoreSpread, WaveState
from census.score_spread import freeze_score_spreads
from db import utcnow
from scoring.change import MIN_WAVE_RESPONDENTS
from survey.teacher.consent import withdraw
from survey.waves.jobs import run_wave_sweep
from survey.waves.service import advance_by_clock, change_state
from tests.support.apps import CommittedApp
from tests.support.factories.census import T0, answers_for, make_submitted_response, make_wave
from tests.support.factories.org import make_school, make_teacher

BATTERY = ["phq9", "gad7"]
DAY = dt.timedelta(days=1)


def _spread(session: Session, wave: Wave, instrument: str, score: str) -> WaveScoreSpread:
    found = session.get(WaveScoreSpread, (wave.id, instrument, score))
    assert found is not None
    return found


def _withdraw(session: Session, response: Response) -> None:
    withdraw(session, session.get_one(Invitation, response.invitation_id), utcnow())


def test_a_closing_wave_freezes_the_sd_of_the_submissions_that_stand(
    db_session: Session,
) -> None:
    school = make_school(db_session)
    wave = make_wave(db_session, battery=BATTERY)
    totals = [n % 12 for n in range(MIN_WAVE_RESPONDENTS)]
    for total in totals:
        make_submitted_response(
            db_session, wave, make_teacher(db_session, school), answers_for(BATTERY, total)
        )
    outlier = make_submitted_response(
        db_session, wave, make_teacher(db_session, school), answers_for(BATTERY, 24)
    )
    _withdraw(db_session, outlier)  # withdrawn before the close: not in the distribution
    change_state(db_session, wave, "close", utcnow())
    phq9 = _spread(db_session, wave, "phq9", "total")
    assert phq9.respondents == MIN_WAVE_RESPONDENTS
    assert phq9.sd == pytest.approx(float(np.std(totals, ddof=1)))
    gad7 = _spread(db_session, wave, "gad7", "total")
    assert (gad7.respondents, gad7.sd) == (MIN_WAVE_RESPONDENTS, None)  # all alike: no SD
    # Frozen: a withdrawal after the close changes nothing, and freezing again writes nothing.
    standing = select(Response).where(Response.wave_id == wave.id, Response.withdrawn_at.is_(None))
    one = db_session.scalars(standing).first()
    assert one is not None
    _withdraw(db_session, one)
    assert freeze_score_spreads(db_session, wave, utcnow()) is False
    assert _spread(db_session, wave, "phq9", "total").sd == pytest.approx(phq9.sd)


def test_fewer_answers_than_the_minimum_keep_only_the_count(db_session: Session) -> None:
    school = make_school(db_session)
    wave = make_wave(db_session, battery=BATTERY)
    for n in range(MIN_WAVE_RESPONDENTS - 1):
        answers = answers_for(BATTERY, n % 12)
        make_submitted_response(db_session, wave, make_teacher(db_session, school), answers)
    change_state(db_session, wave, "close", utcnow())
    phq9 = _spread(db_session, wave, "phq9", "total")
    assert (phq9.respondents, phq9.sd) == (MIN_WAVE_RESPONDENTS - 1, None)
    rows = (
        select(func.count()).select_from(WaveScoreSpread).where(WaveScoreSpread.wave_id == wave.id)
    )
    assert db_session.scalar(rows) == 2  # PHQ-9 and GAD-7 totals: every score of the battery


def test_the_clock_closing_a_wave_freezes_its_spreads(db_session: Session) -> None:
    wave = make_wave(db_session, battery=BATTERY)
    teacher = make_teacher(db_session, make_school(db_session))
    make_submitted_response(db_session, wave, teacher, answers_for(BATTERY, 3))
    assert advance_by_clock(db_session, wave, wave.closes_at) == [WaveState.CLOSED]
    assert _spread(db_session, wave, "phq9", "total").respondents == 1


def test_the_sweep_freezes_a_wave_closed_before_spreads_were_kept(env: CommittedApp) -> None:
    with env.session() as session, session.begin():
        school = make_school(session)
        wave = make_wave(
            session,
            battery=BATTERY,
            state=WaveState.CLOSED,
            opens_at=T0 - 30 * DAY,
            closes_at=T0 - 16 * DAY,
        )
        for total in (2, 9):
            make_submitted_response(
                session, wave, make_teacher(session, school), answers_for(BATTERY, total)
            )
        wave_id = wave.id
    assert run_wave_sweep(env.database, env.settings, T0) == 0  # no wave moved
    assert run_wave_sweep(env.database, env.settings, T0) == 0  # and safe to repeat
    with env.session() as session:
        spread = session.get(WaveScoreSpread, (wave_id, "phq9", "total"))
        assert spread is not None and (spread.respondents, spread.sd) == (2, None)
