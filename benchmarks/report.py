"""Report benchmark: the release of a wave of 115,000 synthetic teachers, and its page.

``python -m benchmarks report`` builds its own SQLite instance: 12 districts of schools of 20 to
100 teachers, each teacher's demographics sealed as the roster import seals them, and three
closed waves whose submitted responses carry sealed scores (bulk-inserted with ``seal_row``;
scored in one vectorised pass by the real engine). The first two waves are released through
``change_state`` as the admin page does; the third is timed: ``release_seconds`` is its
``change_state(..., "release")`` and commit, which decrypts every respondent's demographics and
scores, builds and protects every table, and draws the charts. ``view_p99_ms`` is the 99th
percentile of serving that released report page to a logged-in analyst through the real app
(Flask's test client: the gate, the audit entry and the commit included). Everything lives in a
temporary folder that is removed afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert
from sqlalchemy.orm import Session

import models  # noqa: F401  (every table known, as in the app)
from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.passwords import passwords_of
from accounts.roles import Role, ScopeKind
from app import create_app
from census.models import Invitation, InvitationStatus, Response, Wave, WaveState, WaveUnit
from config.settings import Settings
from db.current import database_of
from instruments import instruments_by_id
from ops import migrations
from org.models import District, School, SchoolLevel, Teacher
from privacy.lookup import lookup_index, pseudonym
from privacy.vault import key_ring, seal_row
from scoring import default_policy
from scoring.engine import score_battery
from survey.waves.rules import DEFAULT_BATTERY
from survey.waves.service import change_state

TEACHERS = 115_000
DISTRICTS = 12
WAVES = 3
VIEWS = 300
RESPONSE_RATE, CONSENT_RATE = 0.78, 0.82
PASSWORD = "Bench-Report-Analyst-7"  # noqa: S105  (a throwaway account in a temporary instance)
SUBJECTS = ("语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理", "道德与法治",
            "体育", "音乐", "美术", "信息技术", "心理健康", "劳动")  # fmt: skip
NOW = dt.datetime(2026, 12, 20, 8, 0, tzinfo=dt.UTC)


def _places(session: Session, rng: random.Random) -> list[int]:
    """Districts and schools of 20-100 teachers; each teacher's school id, in roster order."""
    levels = list(SchoolLevel)
    weights = (40, 25, 15, 12, 5, 3)
    districts = [District(name=f"合成{d + 1}区") for d in range(DISTRICTS)]
    session.add_all(districts)
    session.flush()
    school_of: list[int] = []
    n = 0
    while len(school_of) < TEACHERS:
        district = districts[n % DISTRICTS]
        level = rng.choices(levels, weights)[0]
        school = School(district_id=district.id, name=f"合成第{n + 1}学校", level=level)
        session.add(school)
        session.flush()
        school_of += [school.id] * rng.randint(20, 100)
        n += 1
    return school_of[:TEACHERS]


def _teachers(session: Session, rng: random.Random, school_of: list[int]) -> list[tuple[Any, ...]]:
    """Teachers with sealed identity and demographics; (id, pseudonym, school) of each."""
    ring, rows, out = key_ring(), [], []
    for n, school_id in enumerate(school_of):
        tid = uuid.uuid4()
        born = rng.randint(1962, 2002)
        service = max(0, min(2026 - born - 22, int(rng.expovariate(1 / 12))))
        staff_no = f"B{n:07d}"
        values = [
            ("staff_no", staff_no),
            ("name", f"合成教师{n}"),
            ("gender", rng.choices(("女", "男", None), (70, 29, 1))[0]),
            ("birth_year", born if rng.random() > 0.01 else None),
            ("years_of_service", service),
            ("subject", rng.choice(SUBJECTS)),
        ]
        sealed = seal_row("teachers", tid, values)
        alias = pseudonym(ring, tid)
        rows.append({
            "id": tid, "pseudonym": alias, "school_id": school_id,
            "staff_no_index": lookup_index(ring, "staff_no", staff_no), "roster_digest": b"\0" * 32,
            "is_active": True, "created_at": NOW, "updated_at": NOW,
            **{column: cell for (column, _v), cell in zip(values, sealed, strict=True)},
        })  # fmt: skip
        out.append((tid, alias, school_id))
    _bulk(session, Teacher, rows)
    return out


def _bulk(session: Session, model: Any, rows: list[dict[str, Any]], chunk: int = 20_000) -> None:
    for start in range(0, len(rows), chunk):
        session.execute(insert(model.__table__), rows[start : start + chunk])


def _score_documents(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` synthetic answer sets scored in one pass; each response's scores document (JSON)."""
    import json

    known = instruments_by_id()
    strain = rng.normal(0, 1, n)
    columns = []
    for inst_id in DEFAULT_BATTERY:
        for item in known[inst_id].items:
            values = np.array([int(v) for v in item.values])
            position = 0.25 + 0.2 * (strain + rng.normal(0, 0.8, n))
            if inst_id == "who5" or item.reverse:
                position = 1 - position
            index = np.clip(np.rint(position * (len(values) - 1)), 0, len(values) - 1)
            columns.append(values[index.astype(int)])
    result = score_battery(list(DEFAULT_BATTERY), np.stack(columns, 1).astype(float),
                           default_policy())  # fmt: skip
    docs: list[dict[str, Any]] = [{} for _ in range(n)]
    for inst_id, res in result.instruments.items():
        for name, values in res.scores.items():
            rounded = np.round(values, 4)
            for i in range(n):
                docs[i].setdefault(inst_id, {"scores": {}})["scores"][name] = (
                    None if np.isnan(rounded[i]) else float(rounded[i])
                )
    return [json.dumps(d, sort_keys=True) for d in docs]


def _wave(session: Session, number: int, teachers: list[tuple[Any, ...]], seed: int) -> Wave:
    """A closed wave with every teacher invited and about 78% submitted (sealed scores)."""
    closes = NOW - dt.timedelta(days=120 * (WAVES - number))
    wave = Wave(name=f"基准普查 Benchmark wave {number}", battery=list(DEFAULT_BATTERY),
                opens_at=closes - dt.timedelta(days=14), closes_at=closes, state=WaveState.CLOSED,
                battery_locked_at=closes - dt.timedelta(days=14), units=[WaveUnit()])  # fmt: skip
    session.add(wave)
    session.flush()
    rng = np.random.default_rng(seed)
    answered = rng.random(len(teachers)) < RESPONSE_RATE
    agreed = answered | (rng.random(len(teachers)) < CONSENT_RATE - RESPONSE_RATE)
    docs = iter(_score_documents(rng, int(answered.sum())))
    invitations, responses = [], []
    for n, (tid, alias, school_id) in enumerate(teachers):
        iid = uuid.uuid4()
        status = InvitationStatus.SUBMITTED if answered[n] else (
            InvitationStatus.STARTED if agreed[n] else InvitationStatus.INVITED)  # fmt: skip
        invitations.append({
            "id": iid, "wave_id": wave.id, "teacher_id": tid, "school_id": school_id,
            "token_hash": os.urandom(32), "status": status, "pin_failures": 0,
            "consented_at": closes if agreed[n] else None,
            "submitted_at": closes if answered[n] else None, "created_at": closes,
        })  # fmt: skip
        if answered[n]:
            rid = uuid.uuid4()
            (scores,) = seal_row("responses", rid, [("scores", next(docs))])
            responses.append({
                "id": rid, "wave_id": wave.id, "pseudonym": alias, "school_id": school_id,
                "invitation_id": iid, "pages_saved": len(DEFAULT_BATTERY), "submitted_at": closes,
                "version": 0, "created_at": closes, "updated_at": closes, "scores": scores,
            })  # fmt: skip
    _bulk(session, Invitation, invitations)
    _bulk(session, Response, responses)
    return wave


def _analyst(app: Flask, session: Session) -> tuple[str, str]:
    """A city-wide analyst account, enrolled: its user name and TOTP secret."""
    secret = pyotp.random_base32(32)
    hashed = passwords_of(app).hash(PASSWORD)
    account = StaffAccount(username="bench-analyst", must_change_password=False,
                           password_hash=hashed)  # fmt: skip
    account.totp_secret = secret
    session.add(account)
    session.add(RoleGrant(account=account, role=Role.ANALYST, scope_kind=ScopeKind.CITY,
                          status=GrantStatus.ACTIVE))  # fmt: skip
    return account.username, secret


def _login(client: FlaskClient, username: str, secret: str) -> None:
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    form = {"username": username, "password": PASSWORD, "code": pyotp.TOTP(secret).now(),
            "csrf_token": token.group(1)}  # fmt: skip
    if client.post("/login", data=form).status_code != 302:
        raise RuntimeError("the benchmark analyst could not log in")


def _views(client: FlaskClient, url: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"report page answered {response.status_code}")
    return times


def run() -> dict[str, object]:
    """Seed, release two waves, time the third's release and its page; return the figures."""
    with tempfile.TemporaryDirectory(prefix="xinan-bench-report-") as tmp:
        settings = Settings(
            instance_path=Path(tmp) / "instance", demo=False, scheduler="off",
            log_level="WARNING", proxy_count=0, base_url="https://xinan.bench",
        )  # fmt: skip
        app = create_app(settings)
        database = database_of(app)
        try:
            migrations.upgrade(database.engine)
            with app.app_context():
                session = database.session()
                rng = random.Random(20261220)
                teachers = _teachers(session, rng, _places(session, rng))
                waves = [_wave(session, n + 1, teachers, 7 + n) for n in range(WAVES)]
                username, secret = _analyst(app, session)
                session.commit()
                for wave in waves[:-1]:
                    change_state(session, wave, "release", NOW)
                    session.commit()
                start = time.perf_counter()
                change_state(session, waves[-1], "release", NOW)
                session.commit()
                release_seconds = time.perf_counter() - start
                latest = waves[-1].id
                database.sessions.remove()
            client = app.test_client()
            _login(client, username, secret)
            _views(client, f"/reports/{latest}", 20)  # warm-up: templates compiled
            times = _views(client, f"/reports/{latest}", VIEWS)
        finally:
            database.dispose()
    return {
        "teachers": TEACHERS,
        "waves": WAVES,
        "release_seconds": round(release_seconds, 2),
        "view_p99_ms": round(float(np.percentile(times, 99)), 1),
        "view_median_ms": round(float(np.median(times)), 1),
        "views": VIEWS,
        "backend": "sqlite",
    }
