"""The capacity forecast: pinned numbers, published rates, capacity (frozen release rates are in
``test_forecast_release.py``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role, ScopeKind
from census.models import WaveState, WaveUnit
from survey.waves.forecast import PUBLISHED, DistrictLoad, forecast, observed_rates
from survey.waves.forecast_data import release_reader, wave_forecast
from tests.support.apps import CommittedApp
from tests.support.factories.census import T0, make_wave
from tests.support.factories.org import seed_schools


def test_published_rates_for_a_district_of_1000_teachers() -> None:
    # instruments.md: self-harm thoughts 2.8%, depression 4.0%, GAD-7 >= 10 17.7%; rounded up.
    [east] = forecast([DistrictLoad(1, "东区", 1000, 2)], PUBLISHED, 15, True)
    assert (east.respondents, east.crisis, east.high, east.moderate) == (1000, 28, 40, 177)
    assert (east.cases, east.capacity, east.headroom, east.is_over_capacity) == (68, 30, -38, True)


def test_no_safety_item_means_no_crisis_is_caught() -> None:
    [east] = forecast([DistrictLoad(1, "东区", 100, 1)], PUBLISHED, 15, False)
    assert east.crisis == 0 and east.high == 4 and east.cases == 4


def test_observed_rates_use_participation() -> None:
    rates = observed_rates(200, 100, 7, crisis=2, high=5, moderate=20)
    assert rates is not None
    assert (rates.crisis, rates.high, rates.participation) == (0.02, 0.05, 0.5)
    [d] = forecast([DistrictLoad(1, "东区", 300, 1)], rates, 15, True)
    assert (d.respondents, d.crisis, d.high, d.headroom) == (150, 3, 8, 4)
    assert observed_rates(200, 0, 0) is None
    # A release that hides how many were invited, and the levels: everyone is assumed to
    # answer, and the cases are forecast without their levels.
    unknown = observed_rates(None, 100, 7)
    assert unknown is not None and unknown.participation == 1.0
    [d] = forecast([DistrictLoad(1, "东区", 300, 1)], unknown, 15, True)
    assert (d.respondents, d.crisis, d.high, d.cases) == (300, None, None, 21)


def _psychologist(session: Session, school_id: int | None, district_id: int | None) -> None:
    account = StaffAccount(username=f"psy{school_id}{district_id}", password_hash="x")
    session.add(account)
    kind = ScopeKind.SCHOOL if school_id else ScopeKind.DISTRICT
    session.add(
        RoleGrant(
            account=account,
            role=Role.PSYCHOLOGIST,
            scope_kind=kind,
            school_id=school_id,
            district_id=district_id,
            status=GrantStatus.ACTIVE,
        )
    )


def test_wave_forecast_counts_teachers_and_psychologists_with_published_rates(
    env: CommittedApp,
) -> None:
    with env.session() as session, session.begin():
        teachers = seed_schools(session, per_school=10)
        east_school = teachers["东一小"][0].school
        _psychologist(session, east_school.id, None)
        _psychologist(session, None, east_school.district_id)
        # A closed wave that was never released teaches nothing: its figures are not frozen.
        make_wave(session, state=WaveState.CLOSED, opens_at=T0 - dt.timedelta(days=60), days=14)
        wave = make_wave(
            session, state=WaveState.SCHEDULED, opens_at=T0, days=14, units=[WaveUnit()]
        )
        rates, districts = wave_forecast(session, env.settings, wave, release_reader(env.app))
    east, west = districts
    assert (east.load.name, east.load.teachers, east.load.psychologists) == ("东区", 20, 2)
    assert (west.load.teachers, west.load.psychologists, west.capacity) == (10, 0, 0)
    assert west.is_over_capacity
    assert rates is PUBLISHED and (east.crisis, east.high) == (1, 1)
