"""Seed the synthetic demo: the roster through the real import, then the demo staff accounts."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.passwords import Passwords
from demo.accounts import create_demo_accounts
from demo.census import DEMO_TEACHERS, demo_census
from demo.roster import synthetic_roster
from org.models import Teacher
from org.roster import ImportReport, import_roster


class DemoSeedError(RuntimeError):
    """The synthetic roster did not import; the report says why."""


def has_data(session: Session) -> bool:
    """Whether the database already holds teachers (then the demo is never seeded)."""
    return bool(session.scalar(select(func.count(Teacher.id))))


def seed_demo(
    session: Session,
    passwords: Passwords,
    totp_secret: str,
    now: dt.datetime,
    teachers: int = DEMO_TEACHERS,
) -> ImportReport:
    """Import the synthetic roster of ``teachers`` (the demo census's, ``demo.census``) and create
    the demo logins (flushes; the caller commits)."""
    rows = synthetic_roster(demo_census(teachers))
    # The real import path, through a private temporary file, so the demo exercises it too.
    with tempfile.TemporaryDirectory(prefix="xinan-demo-") as folder:
        path = Path(folder) / "demo-roster.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        report = import_roster(session, path, now=now)
    if not report.ok:
        raise DemoSeedError("; ".join(str(p) for p in report.problems))
    create_demo_accounts(session, passwords, totp_secret, now)
    return report
