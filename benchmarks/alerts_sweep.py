"""The deadline sweep at scale: 100,000 open cases, 10,000 of them with an escalation due.

Twelve districts, each with two supervisors and ten psychologists who have roster e-mail
addresses, so every due step queues real sealed e-mails and inbox items (three recipients each).
The figure is the wall time of ``run_case_step_sweep`` until nothing due is left.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

import models  # noqa: F401  (every table known, as in the app)
from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role, ScopeKind
from alerts.escalation_models import CaseStep
from alerts.models import Case, CaseState
from alerts.rules import CaseClock, crisis_deadlines, high_deadlines, next_step_at
from alerts.sweeps import escalation_policy, run_case_step_sweep
from census.models import Wave, WaveState, WaveUnit
from config.settings import Settings
from db import Database, utcnow
from ops import migrations
from org.models import District, School, SchoolLevel, Teacher
from privacy.keys import load_or_generate
from privacy.lookup import lookup_index, pseudonym
from privacy.vault import install_key_ring, key_ring
from scoring.levels import RiskLevel

OPEN_CASES = 100_000
DUE = 10_000
DISTRICTS = 12
SCHOOLS_PER_DISTRICT = 20


def _staff(session: Session, school: School, role: Role, n: int) -> uuid.UUID:
    ring = key_ring()
    teacher = Teacher(id=uuid.uuid4(), school=school)
    teacher.staff_no, teacher.name = f"S{n:06d}", f"职员{n}"
    teacher.email = f"staff{n}@example.edu.cn"
    teacher.pseudonym = pseudonym(ring, teacher.id)
    teacher.staff_no_index = lookup_index(ring, "staff_no", teacher.staff_no)
    teacher.roster_digest = b"\0" * 32
    account = StaffAccount(username=f"staff{n}", password_hash="!", teacher=teacher)  # noqa: S106 - never logs in
    district = role is Role.SUPERVISOR
    session.add_all([teacher, account])
    session.flush()
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


def _places(session: Session, now: dt.datetime) -> tuple[int, list[tuple[int, int, uuid.UUID]]]:
    """The wave id, and (school, district, psychologist) triples to spread cases over."""
    wave = Wave(
        name="基准 benchmark",
        battery=["phq9", "gad7"],
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=13),
        state=WaveState.OPEN,
        units=[WaveUnit()],
    )
    session.add(wave)
    places: list[tuple[int, int, uuid.UUID]] = []
    n = 0
    for d in range(DISTRICTS):
        district = District(name=f"区{d}")
        schools = [
            School(name=f"区{d}校{s}", level=SchoolLevel.PRIMARY, district=district)
            for s in range(SCHOOLS_PER_DISTRICT)
        ]
        session.add_all(schools)
        session.flush()
        for _ in range(2):
            n += 1
            _staff(session, schools[0], Role.SUPERVISOR, n)
        for s in range(10):
            n += 1
            psychologist = _staff(session, schools[s], Role.PSYCHOLOGIST, n)
            places.extend((school.id, district.id, psychologist) for school in schools[s::10])
    session.flush()
    return wave.id, places


def _case_rows(
    wave_id: int, places: list[Any], now: dt.datetime, settings: Settings
) -> list[dict[str, Any]]:
    policy = escalation_policy(settings)
    rng = random.Random(20261208)
    rows = []
    for i in range(OPEN_CASES):
        school, district, assignee = places[i % len(places)]
        due = i < DUE
        if due:  # a crisis case whose acknowledgement fell due up to 50 minutes ago
            level, opened = (
                RiskLevel.CRISIS,
                now - dt.timedelta(hours=2, minutes=rng.randint(1, 50)),
            )
            d = crisis_deadlines(opened)
        else:  # a high case opened in the last hour: its reminder is days away
            level, opened = RiskLevel.HIGH, now - dt.timedelta(minutes=rng.randint(1, 60))
            d = high_deadlines(opened)
        clock = CaseClock(level.value, "new", opened, d.acknowledge_due_at, d.contact_due_at)
        rows.append(
            {
                "id": uuid.uuid4(),
                "pseudonym": f"P{i:08d}",
                "school_id": school,
                "district_id": district,
                "wave_id": wave_id,
                "level": level,
                "state": CaseState.NEW,
                "opened_at": opened,
                "acknowledge_due_at": d.acknowledge_due_at,
                "contact_due_at": d.contact_due_at,
                "assignee_id": assignee,
                "next_step_at": d.acknowledge_due_at if due else next_step_at(clock, now, policy),
            }
        )
    return rows


def measure(root: Path, database_url: str) -> dict[str, Any]:
    """Build the instance and data, run the sweep once, return its time and what it did."""
    settings = Settings(
        instance_path=root / "instance", database_url=database_url, demo=False, scheduler="off"
    )
    install_key_ring(load_or_generate(settings.effective_key_file, may_generate=True))
    database = Database(settings.effective_database_url)
    try:
        migrations.upgrade(database.engine)
        now = utcnow()
        with Session(database.engine) as session, session.begin():
            wave_id, places = _places(session, now)
        rows = _case_rows(wave_id, places, now, settings)
        with database.engine.begin() as connection:
            connection.execute(insert(cast(Table, Case.__table__)), rows)
        started = time.perf_counter()
        done = run_case_step_sweep(database, settings, now)
        seconds = time.perf_counter() - started
        with Session(database.engine) as session:
            steps = session.scalar(select(func.count()).select_from(CaseStep))
            left = session.scalar(select(func.count()).where(Case.next_step_at <= now))
        return {
            "sweep_seconds": round(seconds, 3),
            "sweep_steps": done,
            "steps_rows": steps,
            "due_left": left,
        }
    finally:
        database.dispose()
