"""The demo wave's cases are routed to the demo psychologists, by the same rules as real ones."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import StaffAccount
from accounts.passwords import HashCost, Passwords
from alerts.models import Case
from alerts.routing import RoutingPolicy
from demo.seed import seed_demo
from demo.wave import seed_demo_wave
from org.models import Teacher

ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def test_demo_cases_are_routed_to_demo_psychologists(db_session: Session) -> None:
    passwords = Passwords(HashCost(time_cost=1, memory_kib=1024, parallelism=1))
    # A smaller demo city, whose cases all fit under the psychologists' cap.
    seed_demo(db_session, passwords, "S" * 32, NOW, teachers=1000)
    seed_demo_wave(db_session, NOW, routing=ROUTING)
    rows = db_session.execute(
        select(Case, StaffAccount.username, Teacher.school_id)
        .join(StaffAccount, StaffAccount.id == Case.assignee_id, isouter=True)
        .join(Teacher, Teacher.id == StaffAccount.teacher_id, isouter=True)
    ).all()
    assert rows
    routed = [(case, name, home) for case, name, home in rows if name is not None]
    assert len(routed) == len(rows), "every demo case finds a demo psychologist under the cap"
    for case, name, home in routed:
        assert name.startswith("psy.")
        assert home != case.school_id  # never a colleague at the teacher's own school
