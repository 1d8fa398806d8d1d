"""The demo's two earlier waves: answered from the census, scored with levels, their cases worked
to the end, released through the real path, so reports and the forecast have real figures.

Both tests read the full demo seeded once for the session (``tests/demo/conftest.py``)."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.models import Case, CaseState
from census.models import Response, Wave, WaveScoreSpread, WaveState
from demo.census import DEMO_TEACHERS
from demo.released import PAST_WAVES
from reports.service import latest_release_before, released_waves
from scoring.levels import RiskLevel
from survey.waves.forecast_release import release_rates
from tests.demo.conftest import NOW, SeededDemo

TEACHERS = DEMO_TEACHERS


def _released(session: Session, seeded: SeededDemo) -> list[Wave]:
    """The waves seed_released_demo_waves returned, oldest first as it returned them."""
    return [w for w in (session.get(Wave, i) for i in seeded.released) if w is not None]


def test_two_released_waves_store_levels_and_close_their_cases(
    seeded_demo: SeededDemo, demo_session: Session
) -> None:
    waves = _released(demo_session, seeded_demo)
    assert [w.name for w in waves] == [p.name for p in PAST_WAVES]
    assert all(w.state is WaveState.RELEASED and w.closes_at < NOW for w in waves)
    assert waves[0].closes_at < waves[1].opens_at
    assert [w.id for w, _ in released_waves(demo_session)] == [w.id for w in reversed(waves)]
    for wave in waves:
        responses = demo_session.scalars(select(Response).where(Response.wave_id == wave.id)).all()
        # About 85% answer each census wave (scoring.synthetic.NON_RESPONSE = 0.15).
        assert 0.8 * TEACHERS < len(responses) < 0.9 * TEACHERS
        assert all(r.risk_level is not None and r.receipt for r in responses)
        assert all(set(json.loads(r.timings or "{}")) == set(wave.battery) for r in responses)
        high = sum(r.risk_level in (RiskLevel.CRISIS, RiskLevel.HIGH) for r in responses)
        cases = demo_session.scalars(select(Case).where(Case.wave_id == wave.id)).all()
        assert len(cases) == high > 0
        # Their follow-up is over: every case was worked to its close before the release.
        assert all(c.state is CaseState.CLOSED and c.outcome for c in cases)
        assert all(c.closed_at and wave.released_at and c.closed_at < wave.released_at
                   for c in cases)  # fmt: skip
        assert demo_session.get(WaveScoreSpread, (wave.id, "phq9", "total")) is not None
    # The first release publishes its respondents and its cases.
    _, release = released_waves(demo_session)[-1]
    assert int(str(release.document["respondents"])) > 0.8 * TEACHERS


def test_the_open_waves_forecast_learns_a_case_rate_from_the_last_release(
    seeded_demo: SeededDemo, demo_session: Session
) -> None:
    # The demo's own size: in a smaller city the release hides the number of cases (small cells).
    assert seeded_demo.teachers == DEMO_TEACHERS
    waves = _released(demo_session, seeded_demo)
    opened = demo_session.get(Wave, seeded_demo.opened)
    assert opened is not None
    rates = release_rates(demo_session, opened, latest_release_before)
    assert rates is not None and rates.source == "released_wave"
    assert rates.wave_name == waves[-1].name
    last = waves[-1].id
    respondents = demo_session.scalar(select(func.count()).where(Response.wave_id == last))
    cases = demo_session.scalar(select(func.count()).where(Case.wave_id == last))
    assert rates.cases > 0 and rates.cases == (cases or 0) / (respondents or 1)
    assert 0.8 < rates.participation < 0.9
