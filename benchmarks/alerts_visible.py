"""Crisis submission to the assignee's queue, under 32 simulated teachers against gunicorn.

The submit benchmark's census (roster, open wave, invitations) on the given database, plus two
psychologists with grants on every school (linked to teachers at two different schools, so the
same-school rule always leaves one). A quarter of the teachers answer PHQ-9 item 9 with 1. The
load generator drives 28 teachers in two processes; four probe teachers, all in crisis, run here:
right after each probe's submit answer, the assignee's queue query (``alerts.queries.my_cases``)
is polled until the case is in it. The figure is that wait.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.policy import load_principal
from accounts.roles import Role, ScopeKind
from alerts.models import Case
from alerts.queries import my_cases
from benchmarks._live_server import gunicorn
from benchmarks._survey_instance import Census, prepare, server_env
from benchmarks._teacher_load import Browser, Reply, SurveyFailed, Tally, complete_survey
from benchmarks.submit import PIN, _load
from census.models import Invitation
from db import Database, utcnow
from org.models import School, Teacher

TEACHERS = 1500
PROBES = 4
LOAD_PROCESSES, LOAD_THREADS = 2, 14  # 28 + 4 probes = 32 teachers at once
SECONDS = 30.0
POLL_SECONDS = 0.005
GIVE_UP_SECONDS = 10.0


def _psychologists(database: Database) -> None:
    with Session(database.engine) as session, session.begin():
        schools = session.scalars(select(School.id)).all()
        homes = session.execute(select(Teacher.id, Teacher.school_id)).all()
        linked = [homes[0], next(t for t in homes if t[1] != homes[0][1])]
        for n, (teacher_id, _school) in enumerate(linked):
            account = StaffAccount(
                username=f"bench-psy{n}",
                password_hash="!",  # noqa: S106 - never logs in
                teacher_id=teacher_id,
            )
            session.add(account)
            session.flush()
            session.add_all(
                RoleGrant(account_id=account.id, role=Role.PSYCHOLOGIST,
                          scope_kind=ScopeKind.SCHOOL, school_id=s, status=GrantStatus.ACTIVE)
                for s in schools
            )  # fmt: skip


def _in_crisis(census: Census, every: int) -> None:
    for n, teacher in enumerate(census.teachers):
        for page in teacher["pages"]:
            if "phq9_9" in page and n % every == 0:
                page["phq9_9"] = "1"


class _Probe(Browser):
    """A teacher's browser that, right after submitting, waits for the case in the queue."""

    def __init__(self, port: int, tally: Tally, wait: Any) -> None:
        super().__init__("127.0.0.1", port, tally)
        self.wait = wait

    def submit_form(self, path: str, page: Reply, fields: dict[str, str], expect: str) -> Reply:
        """Submit as usual; after the final submit, time until the case is visible."""
        reply = super().submit_form(path, page, fields, expect)
        if path.endswith("/submit"):
            self.wait(time.perf_counter())
        return reply


def _visible_after(database: Database, pseudonym: str, wave_id: int, since: float) -> float:
    while time.perf_counter() - since < GIVE_UP_SECONDS:
        with Session(database.engine) as session:
            found = session.execute(
                select(Case.id, Case.assignee_id).where(
                    Case.pseudonym == pseudonym, Case.wave_id == wave_id
                )
            ).first()
            if found and found.assignee_id:
                account = session.get(StaffAccount, found.assignee_id)
                principal = load_principal(session, account)  # type: ignore[arg-type]
                if any(c.id == found.id for c in my_cases(session, principal, utcnow())):
                    return (time.perf_counter() - since) * 1000
        time.sleep(POLL_SECONDS)
    return float("nan")


def measure(root: Path, database_url: str) -> dict[str, Any]:
    """Prepare the census, run the load and the probes, return the visibility percentiles."""
    root.mkdir(parents=True)
    census = prepare(root, database_url, TEACHERS)
    _in_crisis(census, 4)
    database = Database(database_url)
    _psychologists(database)
    with Session(database.engine) as session:
        pseudonym_of = {
            str(i): p
            for i, p in session.execute(
                select(Invitation.id, Teacher.pseudonym).join(Teacher)
            ).all()
        }
    probes = [t for n, t in enumerate(census.teachers) if n % 4 == 0][: PROBES * 200]
    probe_tokens = {t["token"] for t in probes}
    background = [t for t in census.teachers if t["token"] not in probe_tokens]
    waits: list[float] = []
    errors: list[str] = []
    env = server_env(census, dict(os.environ))
    env["XINAN_OPEN_CASE_CAP"] = "100000"  # the measured path, not the cap's fallback
    with gunicorn("app:create_app()", env, root / "server.log", "/healthz") as server:
        stop_at = time.time() + SECONDS + 1.5

        def probe(mine: list[dict[str, Any]]) -> None:
            for teacher in mine:
                if time.time() > stop_at:
                    return
                pseudonym = pseudonym_of[census.invitation_of[teacher["token"]]]

                def wait(since: float, p: str = pseudonym) -> None:
                    waits.append(_visible_after(database, p, census.wave_id, since))

                try:
                    complete_survey(_Probe(server.port, Tally(), wait), teacher, PIN)
                except SurveyFailed as failed:
                    errors.append(str(failed))

        threads = [threading.Thread(target=probe, args=(probes[n::PROBES],)) for n in range(PROBES)]
        for thread in threads:
            thread.start()
        results = _load(server.port, "survey", SECONDS, background, root,
                        processes=LOAD_PROCESSES, threads=LOAD_THREADS)  # fmt: skip
        for thread in threads:
            thread.join()
    database.dispose()
    ms = np.array(waits or [np.nan])
    return {
        "visible_p50_ms": round(float(np.nanpercentile(ms, 50)), 1),
        "visible_p99_ms": round(float(np.nanpercentile(ms, 99)), 1),
        "visible_probes": len(waits),
        "visible_missing": int(np.isnan(ms).sum()) + len(errors),
        "background_surveys": sum(r["surveys"] for r in results),
    }
