"""The psychologist's "consider a check-in" list, in live mode only.

From the predictions of the latest wave that has any: teachers in the psychologist's schools
(``accounts.policy.scope_to``, never themselves), whose level there is low or moderate, who did
not opt out or withdraw, and who have no open case and no outreach waiting; most likely first,
as many as the psychologist's spare capacity (the open-case cap minus the open cases they hold).
Taking one opens an outreach through ``alerts.door``: it adds a person's attention and never
lowers or closes anything.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from accounts.policy import Principal, scope_to
from accounts.roles import Permission
from alerts.door import Referral, follow_up_exists, open_case_count, open_outreach
from analysis.model_models import ModelMode, RiskPrediction
from analysis.switch import current_mode
from census.models import Invitation, Response, Wave
from org.models import School, Teacher
from scoring.levels import RiskLevel

CALM_LEVELS = (RiskLevel.LOW, RiskLevel.MODERATE)
WORK = Permission.CHECKINS_WORK


class CheckinRefused(Exception):
    """The check-in cannot be taken (not live, out of reach, already followed up, no room)."""


@dataclass(frozen=True)
class Checkin:
    """One teacher to consider: what a psychologist sees of them in their own lists."""

    prediction_id: uuid.UUID
    school_name: str
    level: RiskLevel
    wave_name: str


@dataclass(frozen=True)
class CheckinList:
    """The list and how its length was set."""

    live: bool
    cap: int
    open_cases: int
    items: list[Checkin]

    @property
    def spare(self) -> int:
        """Cases the psychologist may still take on before the cap."""
        return max(0, self.cap - self.open_cases)


def _latest_predicted_wave(session: Session) -> int | None:
    stmt = (
        select(RiskPrediction.wave_id)
        .join(Wave, Wave.id == RiskPrediction.wave_id)
        .order_by(Wave.released_at.desc().nulls_last(), Wave.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def _home_school(session: Session, principal: Principal, exclude_own_school: bool) -> int | None:
    """The principal's own school when routing keeps colleagues apart, as the outreach list does:
    a psychologist never checks in on a colleague they could not be routed."""
    if not exclude_own_school or principal.teacher_id is None:
        return None
    teacher = session.get(Teacher, principal.teacher_id)
    return teacher.school_id if teacher is not None else None


def _candidates(
    principal: Principal, wave_id: int, home_school: int | None
) -> Select[tuple[RiskPrediction, Response]]:
    subject = select(Teacher.id).where(Teacher.pseudonym == Response.pseudonym).scalar_subquery()
    stmt = (
        select(RiskPrediction, Response)
        .join(Response, Response.id == RiskPrediction.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(
            RiskPrediction.wave_id == wave_id,
            Response.risk_level.in_(CALM_LEVELS),
            Response.withdrawn_at.is_(None),
            Invitation.model_opt_out_at.is_(None),
            ~follow_up_exists(Response.pseudonym),
        )
    )
    if home_school is not None:
        stmt = stmt.where(Response.school_id != home_school)
    return scope_to(stmt, principal, WORK, Response.school_id, subject)


def checkin_list(
    session: Session, principal: Principal, cap: int, *, exclude_own_school: bool = True
) -> CheckinList:
    """The principal's check-in list (empty unless live), sized to their spare capacity."""
    live = current_mode(session) is ModelMode.LIVE
    held = open_case_count(session, principal.account_id)
    wave_id = _latest_predicted_wave(session) if live else None
    room = max(0, cap - held)
    if wave_id is None or room == 0:
        return CheckinList(live, cap, held, [])
    # The probability is sealed: open the candidates of the principal's own schools only (the
    # statement is scoped), and sort them here.
    home = _home_school(session, principal, exclude_own_school)
    candidates = session.execute(_candidates(principal, wave_id, home)).all()
    ranked = sorted(candidates, key=lambda row: (-(row[0].probability or 0.0), str(row[0].id)))
    found = ranked[:room]
    names = {sid: name for sid, name in session.execute(select(School.id, School.name))}
    wave_name = session.scalar(select(Wave.name).where(Wave.id == wave_id)) or ""
    items = [
        Checkin(prediction.id, names.get(response.school_id, ""), response.risk_level, wave_name)
        for prediction, response in found
    ]
    return CheckinList(live, cap, held, items)


def take_checkin(
    session: Session,
    principal: Principal,
    prediction_id: uuid.UUID,
    cap: int,
    now: dt.datetime,
    *,
    exclude_own_school: bool = True,
) -> Referral:
    """Open an outreach for the teacher behind one entry of the principal's own list."""
    if current_mode(session) is not ModelMode.LIVE:
        raise CheckinRefused("影子模式下没有关心名单 / no check-in list in shadow mode")
    if open_case_count(session, principal.account_id) >= cap:
        raise CheckinRefused("您的个案已达上限 / you hold as many cases as the cap allows")
    wave_id = _latest_predicted_wave(session)
    home = _home_school(session, principal, exclude_own_school)
    stmt = _candidates(principal, wave_id or -1, home).where(RiskPrediction.id == prediction_id)
    found = session.execute(stmt).one_or_none()
    response: Response | None = None if found is None else found[1]
    if response is None or response.risk_level is None:
        raise CheckinRefused("该教师不在您的关心名单上 / not on your check-in list")
    referral = Referral(
        response_id=response.id,
        pseudonym=response.pseudonym,
        school_id=response.school_id,
        wave_id=response.wave_id,
        level=response.risk_level,
        reasons=("model.checkin",),
    )
    open_outreach(session, referral, now)
    return referral
