"""The forecast learns from the latest released wave's frozen report, never from live tables.

A live count on the system administrator's wave page moves when a case opens, an outreach is
offered or a teacher withdraws, and whoever watches it learns who (issue 15, finding 2). The
report is computed once at release; what it hides is bounded from above.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from alerts.intake import open_case, open_outreach
from alerts.models import Outreach
from alerts.routing import RoutingPolicy
from census.models import Response, Wave, WaveState, WaveUnit
from config.settings import Settings
from reports.service import build_release
from scoring.levels import RiskLevel
from survey.teacher.referral import referral_of
from survey.waves.forecast import PUBLISHED
from survey.waves.forecast_data import release_reader, wave_forecast
from survey.waves.forecast_release import bounds, released_rates
from tests.support.factories.releases import NOW, released_wave

ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)

K = 10
NEXT = NOW + dt.timedelta(days=30)


def _next_wave(session: Session) -> Wave:
    wave = Wave(name="下一轮", battery=["phq9", "gad7"], opens_at=NEXT,
                closes_at=NEXT + dt.timedelta(days=14), state=WaveState.SCHEDULED,
                units=[WaveUnit()])  # fmt: skip
    session.add(wave)
    session.flush()
    return wave


def _responses(session: Session, wave: Wave) -> list[Response]:
    query = select(Response).where(Response.wave_id == wave.id).order_by(Response.id)
    return list(session.scalars(query))


def _follow_up(
    session: Session, responses: list[Response], crisis: int, high: int, mod: int
) -> None:
    at = NOW - dt.timedelta(days=10)
    for response in responses[:crisis]:
        open_case(
            session, referral_of(response, RiskLevel.CRISIS, ["phq9_item9"]), at, routing=ROUTING
        )
    for response in responses[crisis : crisis + high]:
        open_case(
            session, referral_of(response, RiskLevel.HIGH, ["phq9_high"]), at, routing=ROUTING
        )
    for response in responses[crisis + high : crisis + high + mod]:
        open_outreach(session, referral_of(response, RiskLevel.MODERATE, []), at)
    session.flush()


def test_the_forecast_reads_the_released_waves_frozen_figures(
    app: Flask, db_session: Session, settings: Settings
) -> None:
    old = released_wave(db_session, {("东区", "东一小"): 40, ("西区", "西一小"): 40}, "2026 春季")
    responses = _responses(db_session, old)
    _follow_up(db_session, responses, crisis=12, high=20, mod=24)
    document = build_release(db_session, old, NOW, K).document
    wave = _next_wave(db_session)

    # What the release publishes: 80 respondents, 32 cases; the levels are hidden (every other
    # state is empty, so the totals per level would show small cells), the outreach is not.
    cases: dict[str, Any] = document["followup"][0]  # type: ignore[index]
    assert cases["rows"][-1][-1] == "32" and cases["rows"][0][-1] == "x"
    rates, districts = wave_forecast(db_session, settings, wave, release_reader(app))
    assert (rates.source, rates.wave_name) == ("released_wave", "2026 春季")
    assert (rates.cases, rates.crisis, rates.high, rates.moderate, rates.participation) == (
        32 / 80, None, None, 24 / 80, 1.0)  # fmt: skip
    east = next(d for d in districts if d.load.name == "东区")
    assert (east.load.teachers, east.cases, east.crisis, east.moderate) == (40, 16, None, 12)

    # The live tables move — more cases, an outreach gone, a teacher's answers erased — and
    # the forecast does not: it reads the frozen report.
    _follow_up(db_session, responses[56:], crisis=5, high=5, mod=0)
    db_session.execute(delete(Outreach).where(Outreach.response_id == responses[40].id))
    responses[0].risk_level = None
    db_session.flush()
    assert wave_forecast(db_session, settings, wave, release_reader(app)) == (rates, districts)


def test_an_unreleased_wave_teaches_nothing_until_it_is_released(
    app: Flask, db_session: Session, settings: Settings
) -> None:
    old = released_wave(db_session, {("东区", "东一小"): 30}, "未发布")
    _follow_up(db_session, _responses(db_session, old), crisis=10, high=10, mod=10)
    old.state, old.released_at = WaveState.CLOSED, None
    db_session.flush()
    rates, _ = wave_forecast(db_session, settings, _next_wave(db_session), release_reader(app))
    assert rates is PUBLISHED


def _table(title: str, column: str, rows: dict[str, str]) -> dict[str, Any]:
    return {"title": title, "columns": ["", column, "合计 Total"],
            "rows": [[name, "x", value] for name, value in rows.items()]}  # fmt: skip


def _document(
    crisis: str, high: str, moderate: str, total: str, outreach: str, respondents: str = "200"
) -> dict[str, Any]:
    levels = {"crisis": crisis, "high": high, "moderate": moderate, "合计 Total": total}
    participation = {
        "title": "参与 Participation · 区 District",
        "columns": ["", "完成 Completed", "受邀 Invited"],
        "rows": [["东区", "x", "x"], ["全市 City", respondents, "250"]],
    }
    outreach_rows = {"outreach": outreach, "合计 Total": outreach}
    followup = [
        _table("随访个案 Cases by level and state", "new", levels),
        _table("关怀外联 Outreach (moderate) by state", "offered", outreach_rows),
    ]
    return {"respondents": respondents, "tables": [participation], "followup": followup}


def test_levels_shown_in_the_report_are_used_and_hidden_ones_are_not_guessed() -> None:
    assert bounds("12") == (12, 12) and bounds("< 10") == (0, 9) and bounds("x") == (0, None)
    rates = released_rates("W", _document("14", "x", "< 10", "40", "25"))
    assert rates is not None
    assert (rates.cases, rates.crisis, rates.high, rates.moderate, rates.participation) == (
        40 / 200, 14 / 200, None, 25 / 200, 200 / 250)  # fmt: skip
    # Fewer than k cases: at most k - 1, so that the forecast errs towards too many.
    few = released_rates("W", _document("< 10", "< 10", "< 10", "< 10", "x"))
    assert few is not None and (few.cases, few.crisis, few.moderate) == (9 / 200, None, None)


def test_a_release_that_hides_or_lacks_what_is_needed_teaches_nothing() -> None:
    assert released_rates("W", _document("3", "4", "0", "7", "9", respondents="< 10")) is None
    assert released_rates("W", _document("x", "x", "x", "x", "25")) is None  # cases hidden
    assert released_rates("W", {"respondents": "200"}) is None
