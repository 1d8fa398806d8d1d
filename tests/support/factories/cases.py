"""Follow-up cases and the staff they reach: a district's place (school, wave, supervisor,
psychologist) with cases at set deadlines, and a case opened about a colleague, committed."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from flask import Flask
from sqlalchemy.orm import Session

from accounts.roles import Role
from alerts.intake import open_case
from alerts.models import Case, CaseState
from alerts.routing import RoutingPolicy
from alerts.rules import SHANGHAI, crisis_deadlines, high_deadlines
from db import utcnow
from org.models import School, Teacher
from scoring.levels import RiskLevel
from survey.teacher.referral import referral_of
from tests.support.apps import app_session
from tests.support.factories.census import make_response, make_wave
from tests.support.factories.org import make_school, make_teacher
from tests.support.factories.staff import make_account

# Monday 7 December 2026, 14:00 in Shanghai: a crisis case must be acknowledged by 16:00.
OPENED = dt.datetime(2026, 12, 7, 14, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)
CANARY_NAME = "金丝雀CANARYNAME"
# The teacher a case opened with ``open_case_at`` is about: a canary for pages and mail.
CASE_NAME = "金丝雀老师"
ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)


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


def make_place(session: Session, district: str = "东区") -> Place:
    """A school with a wave, a district supervisor and a school psychologist, both with e-mail."""
    school = make_school(session, name=f"{district}一小", district=district)
    wave = make_wave(session, opens_at=OPENED - dt.timedelta(days=1), days=14)
    sup_mail = f"sup.{uuid.uuid4().hex[:6]}@example.edu.cn"
    psy_mail = f"psy.{uuid.uuid4().hex[:6]}@example.edu.cn"
    supervisor = make_account(
        session, Role.SUPERVISOR, home=school, district_id=school.district_id, email=sup_mail
    )
    psychologist = make_account(
        session, Role.PSYCHOLOGIST, home=school, schools=[school], email=psy_mail
    )
    return Place(
        school.id, school.district_id, wave.id, supervisor.id, sup_mail, psychologist.id, psy_mail
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


def open_case_at(
    app: Flask,
    school: str,
    district: str,
    *,
    assignee: uuid.UUID | None = None,
    teacher_id: uuid.UUID | None = None,
    level: RiskLevel = RiskLevel.CRISIS,
    name: str = CASE_NAME,
) -> uuid.UUID:
    """A case at ``level`` about a teacher at ``school`` (``teacher_id``, or a new teacher named
    ``name``), opened from a response as the survey opens it, assigned to ``assignee``, and
    committed on the app's database; its id."""
    with app_session(app) as session:
        place = make_school(session, name=school, district=district)
        teacher = (
            session.get(Teacher, teacher_id)
            if teacher_id
            else make_teacher(session, place, name=name)
        )
        case = open_case(
            session,
            referral_of(make_response(session, teacher), level, []),
            utcnow(),
            routing=ROUTING,
        )
        case.assignee_id = assignee
        session.commit()
        return case.id
