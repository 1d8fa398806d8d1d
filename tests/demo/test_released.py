"""The demo's two earlier waves: answered from the census, scored with levels, their cases worked
to the end, released through the real path, so reports and the forecast have real figures."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.passwords import HashCost, Passwords
from alerts.models import Case, CaseState
from alerts.routing import RoutingPolicy
from census.models import Response, WaveScoreSpread, WaveState
from demo.census import DEMO_TEACHERS
from demo.released import PAST_WAVES, seed_released_demo_waves
from demo.seed import seed_demo
from demo.wave import seed_demo_wave
from reports.service import latest_release_before, released_waves
from scoring.levels import RiskLevel
from survey.waves.forecast_release import release_rates

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
TEACHERS = 1000
ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)


def _seed(session: Session, teachers: int = TEACHERS) -> None:
    passwords = Passwords(HashCost(time_cost=1, memory_kib=1024, parallelism=1))
    seed_demo(session, passwords, "S" * 32, NOW, teachers=teachers)


def test_two_released_waves_store_levels_and_close_their_cases(db_session: Session) -> None:
    _seed(db_session)
    waves = seed_released_demo_waves(db_session, NOW, routing=ROUTING)
    assert [w.name for w in waves] == [p.name for p in PAST_WAVES]
    assert all(w.state is WaveState.RELEASED and w.closes_at < NOW for w in waves)
    assert waves[0].closes_at < waves[1].opens_at
    assert [w.id for w, _ in released_waves(db_session)] == [w.id for w in reversed(waves)]
    for wave in waves:
        responses = db_session.scalars(select(Response).where(Response.wave_id == wave.id)).all()
        # About 85% answer each census wave (scoring.synthetic.NON_RESPONSE = 0.15).
        assert 0.8 * TEACHERS < len(responses) < 0.9 * TEACHERS
        assert all(r.risk_level is not None and r.receipt for r in responses)
        assert all(set(json.loads(r.timings or "{}")) == set(wave.battery) for r in responses)
        high = sum(r.risk_level in (RiskLevel.CRISIS, RiskLevel.HIGH) for r in responses)
        cases = db_session.scalars(select(Case).where(Case.wave_id == wave.id)).all()
        assert len(cases) == high > 0
        # Their follow-up is over: every case was worked to its close before the release.
        assert all(c.state is CaseState.CLOSED and c.outcome for c in cases)
        assert all(c.closed_at and wave.released_at and c.closed_at < wave.released_at
                   for c in cases)  # fmt: skip
        assert db_session.get(WaveScoreSpread, (wave.id, "phq9", "total")) is not None
    # The first release publishes its respondents and its cases.
    _, release = released_waves(db_session)[-1]
    assert int(str(release.document["respondents"])) > 0.8 * TEACHERS


def test_the_open_waves_forecast_learns_a_case_rate_from_the_last_release(
    db_session: Session,
) -> None:
    # The demo's own size: in a smaller city the release hides the number of cases (small cells).
    _seed(db_session, DEMO_TEACHERS)
    waves = seed_released_demo_waves(db_session, NOW, routing=ROUTING)
    opened = seed_demo_wave(db_session, NOW, routing=ROUTING).wave
    rates = release_rates(db_session, opened, latest_release_before)
    assert rates is not None and rates.source == "released_wave"
    assert rates.wave_name == waves[-1].name
    last = waves[-1].id
    respondents = db_session.scalar(select(func.count()).where(Response.wave_id == last))
    cases = db_session.scalar(select(func.count()).where(Case.wave_id == last))
    assert rates.cases > 0 and rates.cases == (cases or 0) / (respondents or 1)
    assert 0.8 < rates.participation < 0.9
