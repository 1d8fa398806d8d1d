"""The demo: 3 districts, 14 schools, 3,000 synthetic teachers and the demo logins of issue 3."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pyotp
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import StaffAccount
from accounts.passwords import HashCost, Passwords
from accounts.policy import load_principal
from accounts.roles import Permission, Role
from accounts.totp import accept_code
from db import utcnow
from demo.accounts import DEMO_PASSWORD, demo_accounts
from demo.seed import has_data, seed_demo
from org.models import District, School, Teacher

SECRET = "XINANDEMOXINANDEMOXINANDEMOXINAN"
NOW = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)


def _seed(session: Session) -> Passwords:
    passwords = Passwords(HashCost(time_cost=1, memory_kib=1024, parallelism=1))
    assert not has_data(session)
    seed_demo(session, passwords, SECRET, NOW)
    return passwords


def test_demo_roster_is_synthetic_and_complete(db_session: Session) -> None:
    _seed(db_session)
    assert db_session.scalar(select(func.count(District.id))) == 3
    assert db_session.scalar(select(func.count(School.id))) == 14
    teachers = db_session.scalars(select(Teacher)).all()
    assert len(teachers) == 3000
    assert all(t.staff_no and t.staff_no.startswith("DEMO") for t in teachers)
    assert all(t.phone and t.phone.startswith("1990000") for t in teachers)
    # Two psychology teachers per school, each school's the same (demo/census.py).
    psychologists = Counter(t.school_id for t in teachers if t.is_psychologist)
    assert len(psychologists) == 14 and set(psychologists.values()) == {2}
    assert has_data(db_session)


def test_demo_logins_match_issue_3(db_session: Session) -> None:
    passwords = _seed(db_session)
    accounts = {a.username: a for a in db_session.scalars(select(StaffAccount))}
    assert set(accounts) == {spec.username for spec in demo_accounts()}
    roles = [spec.role for spec in demo_accounts()]
    assert roles.count(Role.PSYCHOLOGIST) == 9 and roles.count(Role.SUPERVISOR) == 3
    assert roles.count(Role.SECURITY_ADMIN) == 2
    for spec in demo_accounts():
        account = accounts[spec.username]
        assert passwords.verify(account.password_hash, DEMO_PASSWORD)
        assert account.totp_secret == SECRET and account.is_enrolled
        principal = load_principal(db_session, account)
        assert principal.roles == {spec.role}
        if spec.role in (Role.PSYCHOLOGIST, Role.SUPERVISOR):
            teacher = db_session.get(Teacher, account.teacher_id)
            assert teacher is not None and teacher.staff_no == spec.staff_no
            reach = principal.reach[Permission.CASES_READ]
            assert reach is not None
            # A school psychologist never serves the school where they themselves teach.
            if spec.schools is not None:
                assert teacher.school_id not in reach and len(reach) == 2
            else:
                district = db_session.scalars(
                    select(District).where(District.name == spec.district)
                ).one()
                schools = db_session.scalars(
                    select(School.id).where(School.district_id == district.id)
                ).all()
                assert reach == set(schools) and len(schools) >= 3
    # The code `demo totp` prints is accepted at a demo login.
    code = pyotp.TOTP(SECRET).now()
    assert accept_code(accounts["auditor"].totp_secret or "", code, None, utcnow()) is not None
