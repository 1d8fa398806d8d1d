"""Loading what the forecast needs: the population by district, psychologists, frozen rates.

No live case, outreach or response counts (see ``survey.waves.forecast`` and
``survey.waves.forecast_release``): the page that shows this is open while teachers answer.
The frozen reports are read through the reader each app is given (``install_release_reader``).
"""

from __future__ import annotations

import uuid
from typing import cast

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role, ScopeKind
from census.models import Wave
from config.settings import Settings
from org.models import District, School
from survey.waves.forecast import PUBLISHED, DistrictForecast, DistrictLoad, Rates, forecast
from survey.waves.forecast_release import ReleaseReader, release_rates
from survey.waves.population import active_teachers
from survey.waves.rules import has_safety_item


def psychologists_by_district(session: Session) -> dict[int, int]:
    """How many active psychologist accounts serve schools in each district."""
    rows = session.execute(
        select(
            RoleGrant.account_id, RoleGrant.scope_kind, RoleGrant.district_id, School.district_id
        )
        .join(StaffAccount, StaffAccount.id == RoleGrant.account_id)
        .outerjoin(School, School.id == RoleGrant.school_id)
        .where(
            RoleGrant.role == Role.PSYCHOLOGIST,
            RoleGrant.status == GrantStatus.ACTIVE,
            StaffAccount.is_active.is_(True),
        )
    )
    serving: dict[int, set[uuid.UUID]] = {}
    for account, kind, grant_district, school_district in rows:
        district = grant_district if kind is ScopeKind.DISTRICT else school_district
        if district is not None:
            serving.setdefault(int(district), set()).add(account)
    return {district: len(accounts) for district, accounts in serving.items()}


def district_loads(session: Session, wave: Wave) -> list[DistrictLoad]:
    """The wave's active teachers per district, with the psychologists serving each."""
    school_district = dict(session.execute(select(School.id, School.district_id)).tuples().all())
    teachers: dict[int, int] = {}
    for _teacher, school_id in active_teachers(session, wave):
        district = int(school_district[school_id])
        teachers[district] = teachers.get(district, 0) + 1
    names = dict(session.execute(select(District.id, District.name)).tuples().all())
    psychologists = psychologists_by_district(session)
    return [
        DistrictLoad(d, names[d], n, psychologists.get(d, 0))
        for d, n in sorted(teachers.items(), key=lambda item: names[item[0]])
    ]


# app.extensions: the app's reader of frozen reports.
RELEASE_READER = "xinan.waves.release_reader"


def install_release_reader(app: Flask, reader: ReleaseReader) -> None:
    """Give ``app``'s forecast pages and commands their reader of frozen reports."""
    app.extensions[RELEASE_READER] = reader


def release_reader(app: Flask) -> ReleaseReader:
    """The reader of frozen reports ``app`` was given (``install_release_reader``)."""
    return cast(ReleaseReader, app.extensions[RELEASE_READER])


def wave_forecast(
    session: Session, settings: Settings, wave: Wave, read_release: ReleaseReader
) -> tuple[Rates, list[DistrictForecast]]:
    """The rates used (those of the release ``read_release`` finds, else the published ones)
    and the forecast per district for ``wave``."""
    rates = release_rates(session, wave, read_release) or PUBLISHED
    loads = district_loads(session, wave)
    return rates, forecast(loads, rates, settings.open_case_cap, has_safety_item(wave.battery))
