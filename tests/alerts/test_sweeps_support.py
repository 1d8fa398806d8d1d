"""Committed cases, a supervisor and a psychologist for the deadline sweep tests."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role, ScopeKind
from alerts.models import Case, CaseState
from alerts.rules import SHANGHAI, crisis_deadlines, high_deadlines
from census.models import WaveState
from org.models import School
from scoring.levels import RiskLevel
from tests.factories import make_school, make_teacher
from tests.survey.test_waves_support import make_wave

# Monday 7 December 2026, 14:00 in Shanghai: a crisis case must be acknowledged by 16:00.
OPENED = dt.datetime(2026, 12, 7, 14, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)
CANARY_NAME = "金丝雀CANARYNAME"


@dataclass
class Place:
    """One district's school, wave, supervisor and psychologist (ids only: sessions end)."""

    school_id: int
    district_id: int
    wave_id: int
    supervisor_id: uuid.UUID
    supervisor_email: str
    psychologist_id: uuid.UUID
    psychologist_email: str


def _account(session: Session, school: School, role: Role, email: str) -> uuid.UUID:
    teacher = make_teacher(session, school, email=email)
    account = StaffAccount(
        username=f"u{uuid.uuid4().hex[:10]}", password_hash="x", teacher_id=teacher.id
    )
    session.add(account)
    session.flush()
    district = role is Role.SUPERVISOR
    session.add(
        RoleGrant(
            account_id=account.id,
            role=role,
            scope_kind=ScopeKind.DISTRICT if district else ScopeKind.SCHOOL,
            district_id=school.district_id if district else None,
            school_id=None if district else school.id,
            status=GrantStatus.ACTIVE,
        )
    )
    return account.id


def make_place(session: Session, district: str = "东区") -> Place:
    """A school with a wave, a district supervisor and a school psychologist, both with e-mail."""
    school = make_school(session, name=f"{district}一小", district=district)
    wave = make_wave(session, state=WaveState.OPEN, opens_at=OPENED - dt.timedelta(days=1))
    sup_mail = f"sup.{uuid.uuid4().hex[:6]}@example.edu.cn"
    psy_mail = f"psy.{uuid.uuid4().hex[:6]}@example.edu.cn"
    supervisor = _account(session, school, Role.SUPERVISOR, sup_mail)
    psychologist = _account(session, school, Role.PSYCHOLOGIST, psy_mail)
    session.flush()
    return Place(
        school.id, school.district_id, wave.id, supervisor, sup_mail, psychologist, psy_mail
    )


def make_case(
    session: Session,
    place: Place,
    level: RiskLevel = RiskLevel.CRISIS,
    opened: dt.datetime = OPENED,
    assigned: bool = True,
) -> Case:
    """An open case at ``level`` whose teacher's name is a canary (it must never be mailed)."""
    teacher = make_teacher(session, session.get(School, place.school_id), name=CANARY_NAME)
    d = crisis_deadlines(opened) if level is RiskLevel.CRISIS else high_deadlines(opened)
    case = Case(
        pseudonym=teacher.pseudonym,
        school_id=place.school_id,
        district_id=place.district_id,
        wave_id=place.wave_id,
        level=level,
        state=CaseState.NEW,
        opened_at=opened,
        acknowledge_due_at=d.acknowledge_due_at,
        contact_due_at=d.contact_due_at,
        assignee_id=place.psychologist_id if assigned else None,
    )
    case.reasons = '["phq9.item9.CANARYREASON"]'
    session.add(case)
    session.flush()
    return case
