"""One census instance for ``python -m benchmarks submit``: key ring, migrated database, a
synthetic roster imported through the real service, an earlier wave every teacher answered,
closed through the wave service (so each submission is judged against the teacher's last time, as
in every wave after the first), an open wave and its invitations created through the wave and
invitation services — and, after the run, what the database really holds.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

import models  # noqa: F401  (every table known, as in the app)
from benchmarks.roster import write_roster
from census.models import Invitation, Response
from config.settings import Settings
from db import Database, utcnow
from demo.submissions import Submission, store
from demo.wave import synthetic_answers
from instruments import instruments_by_id
from ops import migrations
from org.roster import import_roster
from privacy.audit.models import AuditEntry
from privacy.keys import load_or_generate
from privacy.vault import install_key_ring, key_ring
from survey.invitations.links import link_token
from survey.invitations.service import ensure_invitations
from survey.teacher.flow import page_order
from survey.waves.population import Unit
from survey.waves.rules import DEFAULT_BATTERY
from survey.waves.service import WaveSpec, change_state, create_wave

SEED = 20261128


@dataclass(frozen=True)
class Census:
    """The prepared instance: where it lives and what the load generator needs."""

    instance: Path
    database_url: str
    wave_id: int
    teachers: list[dict[str, Any]]  # token, phone digits, answers page by page
    invitation_of: dict[str, str]  # token -> invitation id


def server_env(census: Census, base: dict[str, str]) -> dict[str, str]:
    """The environment of a production-like server for this instance (no scheduler, no demo)."""
    env = {k: v for k, v in base.items() if not k.startswith("XINAN_")}
    env.update(
        XINAN_INSTANCE_PATH=str(census.instance),
        XINAN_DATABASE_URL=census.database_url,
        XINAN_GENERATE_KEYS="false",
        XINAN_DEMO="false",
        # Clients connect directly (no proxy); links would be published over HTTPS.
        XINAN_PROXY_COUNT="0",
        XINAN_BASE_URL="https://xinan.bench",
        XINAN_SCHEDULER="external",
    )
    return env


def prepare(root: Path, database_url: str, teachers: int) -> Census:
    """Keys, schema, roster, an open wave over the city, and one invitation per teacher."""
    settings = Settings(
        instance_path=root / "instance", database_url=database_url, demo=False, scheduler="off"
    )
    install_key_ring(load_or_generate(settings.effective_key_file, may_generate=True))
    database = Database(settings.effective_database_url)
    try:
        migrations.upgrade(database.engine)
        roster = root / "roster.csv"
        write_roster(roster, teachers, seed=SEED)
        session = database.session()
        report = import_roster(session, roster)
        if not report.ok:
            raise RuntimeError(f"benchmark roster rejected: {report.problems[:3]}")
        _earlier_wave(session, utcnow())
        wave_id = _open_wave(session, utcnow())
        session.commit()
        links, invitation_of = _links(session, wave_id)
        database.sessions.remove()
    finally:
        database.dispose()
    return Census(settings.instance_path, database_url, wave_id, links, invitation_of)


def _earlier_wave(session: Any, now: dt.datetime) -> None:
    """A wave every teacher answered, closed now (its score spreads frozen)."""
    wave = _opened_wave(
        session, now, "基准测试上一轮 earlier benchmark wave", dt.timedelta(days=14)
    )
    invitations = session.scalars(select(Invitation).where(Invitation.wave_id == wave.id)).all()
    rng = random.Random(SEED + 1)
    battery = list(DEFAULT_BATTERY)
    submissions = [
        Submission(inv.id, inv.teacher.pseudonym, inv.school_id, now,
                   synthetic_answers(rng, battery), {})
        for inv in invitations
    ]  # fmt: skip
    store(session, wave, submissions)
    change_state(session, wave, "close", now)


def _open_wave(session: Any, now: dt.datetime) -> int:
    return int(
        _opened_wave(session, now, "基准测试普查 benchmark wave", dt.timedelta(minutes=5)).id
    )


def _opened_wave(session: Any, now: dt.datetime, name: str, opened_ago: dt.timedelta) -> Any:
    """A wave of the default battery over every school, open since ``opened_ago``, invited."""
    spec = WaveSpec(
        name=name,
        battery=tuple(DEFAULT_BATTERY),
        opens_at=now - opened_ago,
        closes_at=now + dt.timedelta(days=1),
        units=(Unit(),),
    )
    wave = create_wave(session, spec, now)
    change_state(session, wave, "schedule", now)
    change_state(session, wave, "open", now)
    ensure_invitations(session, wave, key_ring(), now)
    return wave


def _links(session: Any, wave_id: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
    rng = random.Random(SEED)
    invitations = session.scalars(
        select(Invitation).where(Invitation.wave_id == wave_id).order_by(Invitation.id)
    ).all()
    order = page_order(list(DEFAULT_BATTERY))
    known = instruments_by_id()
    links, invitation_of = [], {}
    for invitation in invitations:
        token = link_token(key_ring(), invitation.id)
        answers = synthetic_answers(rng, list(DEFAULT_BATTERY))
        pages = [{item.id: str(answers[item.id]) for item in known[inst].items} for inst in order]
        links.append({"token": token, "digits": (invitation.teacher.phone or "")[-4:],
                      "pages": pages})  # fmt: skip
        invitation_of[token] = str(invitation.id)
    return links, invitation_of


def check_stored(census: Census, receipts: dict[str, str]) -> dict[str, int]:
    """Acknowledged receipts missing from the database (lost), and anything stored twice."""
    database = Database(census.database_url)
    try:
        session = database.session()
        rows = session.execute(
            select(Response.id, Response.invitation_id, Response.receipt).where(
                Response.wave_id == census.wave_id, Response.submitted_at.is_not(None)
            )
        ).all()
        by_invitation: dict[str, list[str | None]] = {}
        for _id, invitation_id, receipt in rows:
            by_invitation.setdefault(str(invitation_id), []).append(receipt)
        lost = sum(
            1
            for token, receipt in receipts.items()
            if receipt not in by_invitation.get(census.invitation_of[token], [])
        )
        audited = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "survey.submit")
        )
        twice = sum(len(r) - 1 for r in by_invitation.values())
        duplicates = twice + max(0, int(audited or 0) - len(rows))
        database.sessions.remove()
    finally:
        database.dispose()
    return {"lost": lost, "duplicates": duplicates, "stored": len(rows)}
