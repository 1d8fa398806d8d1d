"""Loading what the forecast needs: the population by district, psychologists, open cases, rates."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role, ScopeKind
from alerts.models import Case, CaseState
from config.settings import Settings
from org.models import District, School
from survey.forecast import (
    PUBLISHED,
    DistrictForecast,
    DistrictLoad,
    Rates,
    forecast,
    observed_rates,
)
from survey.models import Invitation, Response, RiskLevel, Wave, WaveState
from survey.population import active_teachers
from survey.waves import has_safety_item


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


def open_cases_by_district(session: Session) -> dict[int, int]:
    """Cases not yet closed, per district."""
    rows = session.execute(
        select(Case.district_id, func.count())
        .where(Case.state != CaseState.CLOSED)
        .group_by(Case.district_id)
    )
    return {int(d): int(n) for d, n in rows}


def district_loads(session: Session, wave: Wave) -> list[DistrictLoad]:
    """The wave's active teachers per district, with psychologists and open cases."""
    school_district = dict(session.execute(select(School.id, School.district_id)).tuples().all())
    teachers: dict[int, int] = {}
    for _teacher, school_id in active_teachers(session, wave):
        district = int(school_district[school_id])
        teachers[district] = teachers.get(district, 0) + 1
    names = dict(session.execute(select(District.id, District.name)).tuples().all())
    psychologists, open_cases = psychologists_by_district(session), open_cases_by_district(session)
    return [
        DistrictLoad(d, names[d], n, psychologists.get(d, 0), open_cases.get(d, 0))
        for d, n in sorted(teachers.items(), key=lambda item: names[item[0]])
    ]


def previous_rates(session: Session, wave: Wave) -> Rates:
    """Rates of the latest closed or released wave before this one, else the published ones."""
    previous = session.scalars(
        select(Wave)
        .where(Wave.id != wave.id, Wave.state.in_((WaveState.CLOSED, WaveState.RELEASED)))
        .where(Wave.closes_at <= wave.opens_at)
        .order_by(Wave.closes_at.desc())
        .limit(1)
    ).first()
    if previous is None:
        return PUBLISHED
    invited = session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.wave_id == previous.id)
    )
    levels = dict(
        session.execute(
            select(Response.risk_level, func.count())
            .where(Response.wave_id == previous.id, Response.submitted_at.is_not(None))
            .group_by(Response.risk_level)
        )
        .tuples()
        .all()
    )
    submitted = sum(int(n) for n in levels.values())
    rates = observed_rates(
        int(invited or 0),
        submitted,
        int(levels.get(RiskLevel.CRISIS, 0)),
        int(levels.get(RiskLevel.HIGH, 0)),
        int(levels.get(RiskLevel.MODERATE, 0)),
    )
    return rates or PUBLISHED


def wave_forecast(
    session: Session, settings: Settings, wave: Wave
) -> tuple[Rates, list[DistrictForecast]]:
    """The rates used and the forecast per district for ``wave``."""
    rates = previous_rates(session, wave)
    loads = district_loads(session, wave)
    return rates, forecast(loads, rates, settings.open_case_cap, has_safety_item(wave.battery))
