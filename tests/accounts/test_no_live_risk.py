"""No page of a system administrator, analyst, auditor or security administrator moves when a
teacher's crisis opens (issue 15, finding 2), on both databases.

The printed sheet puts each teacher's name beside their link; a page that counts cases, outreach
or risk live would then name whoever just answered. So: a wave is open, two teachers have
consented and saved their first page. Each of the four roles logs in and fetches every page the
route × role matrix (``tests/accounts/test_routes.py``) lets it reach — with real ids, every
page of the audit log, filtered the ways that would find a case. Then one teacher saves the
PHQ-9 page again with item 9 answered 1 through her own link (a crisis case opens at once), the
other gets an outreach through the alerts intake door, and the deadline sweep sends the
reminder and the escalation three hours on. Every page is fetched again: nothing may differ
but the CSRF tokens and what the observers' own visits wrote into the audit log.

The teacher's link pages are left out here: they are the subject of the finding's other half.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

import openpyxl
import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.routing import AnyConverter

from accounts.roles import Role
from alerts.intake import open_outreach
from alerts.models import Case, Outreach
from alerts.sweeps import run_case_step_sweep
from census.models import Invitation, Response, Wave, WaveState, WaveUnit
from db import Database, utcnow
from notifications.models import Notification
from org.models import School, Teacher
from privacy.audit.models import AuditEntry
from privacy.vault import key_ring
from reports.service import build_release
from scoring.levels import RiskLevel
from survey.invitations.links import link_token
from survey.invitations.service import ensure_invitations
from survey.teacher.referral import referral_of
from tests.support.factories.org import make_school, make_teacher
from tests.support.factories.releases import released_wave
from tests.support.forms import mask_csrf, post_form
from tests.support.routes import ANY_STAFF, EXPECTED, PUBLIC
from tests.support.staff import Staff
from tests.support.teacher import page_answers, start

OBSERVERS = (Role.SYSTEM_ADMIN, Role.ANALYST, Role.AUDITOR, Role.SECURITY_ADMIN)
# Filters an auditor would use to watch for cases; each is read page by page to the end.
AUDIT_FILTERS = ("", "?object_type=case", "?action=case.open", "?action=case.assign",
                 "?action=case.steps", "?actor=system")  # fmt: skip
AUDIT_ROW = re.compile(r"<tr><td>(\d+)</td><td>[^<]*</td><td>([^<]*)</td>.*?</tr>", re.S)
VERIFIED = re.compile(r"(\d+) 条，至第 (\d+) 条。/ Intact: \d+ entries verified up to #\d+")


@dataclass
class World:
    """The open wave, the two teachers' links and the ids the pages take."""

    wave_id: int
    school_id: int
    values: dict[str, list[object]]
    crisis_token: str
    crisis_phone: FlaskClient  # the teacher's own browser, past the digits and the PIN
    outreach_invitation: uuid.UUID


def _released_wave(session: Session, k: int, now: dt.datetime) -> Wave:
    """An earlier wave of 20 teachers, closed 45 days ago, its report frozen at release."""
    old = released_wave(session, {("观察区", "往届校"): 20}, "往届普查")
    old.opens_at, old.closes_at = now - dt.timedelta(days=60), now - dt.timedelta(days=45)
    build_release(session, old, now - dt.timedelta(days=40), k)
    return old


def _open_wave(session: Session, now: dt.datetime) -> Wave:
    """The wave open now for the whole city, every teacher invited."""
    wave = Wave(name="观察普查", battery=["phq9", "gad7"], opens_at=now - dt.timedelta(hours=1),
                closes_at=now + dt.timedelta(days=7), state=WaveState.OPEN,
                units=[WaveUnit()])  # fmt: skip
    session.add(wave)
    session.flush()
    ensure_invitations(session, wave, key_ring(), now)
    return wave


def _link(session: Session, wave: Wave, teacher: Teacher) -> tuple[uuid.UUID, str, str]:
    """The teacher's invitation id, link token and roster phone."""
    invitation = session.scalars(
        select(Invitation).where(Invitation.wave_id == wave.id, Invitation.teacher_id == teacher.id)
    ).one()
    return invitation.id, link_token(key_ring(), invitation.id), teacher.phone or ""


@pytest.fixture
def world(web_app: Flask, make_staff: Callable[..., Staff]) -> World:
    """A released earlier wave, an open wave, a supervisor and a psychologist for the school, and
    two of its teachers who consented and saved the PHQ-9 page, nothing endorsed."""
    database: Database = web_app.extensions["xinan.db"]
    now = utcnow()
    staff = [make_staff(role, school="观察校", district="观察区")
             for role in (Role.SUPERVISOR, Role.PSYCHOLOGIST)]  # fmt: skip
    with web_app.app_context():
        session = database.session()
        old = _released_wave(session, web_app.extensions["xinan.settings"].disclosure_k, now)
        school = make_school(session, name="观察校", district="观察区")
        teachers = [make_teacher(session, school, name=name) for name in ("甲老师", "乙老师")]
        wave = _open_wave(session, now)
        links = [_link(session, wave, teacher) for teacher in teachers]
        values: dict[str, list[object]] = {
            "wave_id": [wave.id, old.id],
            "school_id": list(session.scalars(select(School.id).order_by(School.id))),
            "account_id": [s.account_id for s in staff],
        }
        wave_id, school_id = wave.id, school.id
        session.commit()
        database.sessions.remove()
    phones = []
    for _invitation_id, token, phone in links:
        teacher = web_app.test_client()
        start(teacher, token, phone)
        assert post_form(teacher, f"/s/{token}/page/1", page_answers("phq9")).status_code == 200
        phones.append(teacher)
    return World(wave_id, school_id, values, links[0][1], phones[0], links[1][0])


def _pages(app: Flask, role: Role, values: dict[str, list[object]]) -> list[str]:
    """Every GET page the matrix lets ``role`` reach, with each combination of real ids."""
    urls = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            expected = EXPECTED.get(rule.endpoint)
            if rule.endpoint == "static" or "GET" not in (rule.methods or set()):
                continue
            if rule.endpoint.startswith("teacher."):
                continue  # the link pages: the other half of the finding, tested there
            if rule.endpoint == "enrol.enrol":
                continue  # a staff member's one-time set-up link: no figures, tested with resets
            if not (expected in (PUBLIC, ANY_STAFF) or role in expected):  # type: ignore[operator]
                continue
            names = sorted(rule.arguments)
            choices: list[list[object]] = []
            for name in names:
                converter = rule._converters[name]
                if isinstance(converter, AnyConverter):
                    choices.append(list(sorted(converter.items)))
                else:
                    assert name in values, f"give {rule.endpoint} real values for {name}"
                    choices.append(values[name])
            for combo in product(*choices):
                arguments: dict[str, object] = dict(zip(names, combo, strict=True))
                urls.append(url_for(rule.endpoint, **arguments))  # type: ignore[arg-type]
    if role is Role.AUDITOR:
        urls += [f"/audit/{query}" for query in AUDIT_FILTERS if query]
    return urls


def _observer_entries(app: Flask, actors: set[str], up_to: int) -> int:
    database: Database = app.extensions["xinan.db"]
    with app.app_context():
        count = database.session().scalar(
            select(func.count()).where(AuditEntry.actor.in_(actors), AuditEntry.seq <= up_to)
        )
        database.sessions.remove()
    return int(count or 0)


def _audit_listing(client: FlaskClient, url: str, observers: set[str]) -> str:
    """Every page of a listing, without the rows the observers' own visits wrote."""
    rows, page = [], 1
    while True:
        separator = "&" if "?" in url else "?"
        html = client.get(f"{url}{separator}page={page}").get_data(as_text=True)
        rows += [m.group(0) for m in AUDIT_ROW.finditer(html) if m.group(2) not in observers]
        if "较旧 Older" not in html:
            return "\n".join(rows)
        page += 1


def _body(app: Flask, client: FlaskClient, url: str, observers: set[str]) -> str:
    if url.startswith("/audit/") and "verify" not in url:
        return _audit_listing(client, url, observers)
    response = client.get(url)
    head = f"{response.status_code} {response.headers.get('Location', '')}\n"
    if (response.mimetype or "").endswith("spreadsheetml.sheet"):
        book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
        return head + repr([[list(row) for row in sheet.iter_rows(values_only=True)]
                            for sheet in book.worksheets])  # fmt: skip
    text = mask_csrf(response.get_data(as_text=True))
    # The verify page counts every entry; the observers' own visits add theirs.
    found = VERIFIED.search(text)
    if found:
        up_to = int(found.group(2))
        theirs = int(found.group(1)) - _observer_entries(app, observers, up_to)
        text = VERIFIED.sub(f"{theirs} entries not written by the observers", text)
    return head + text


def _snapshot(
    app: Flask, clients: dict[Role, FlaskClient], urls: dict[Role, list[str]], observers: set[str]
) -> dict[tuple[Role, str], str]:
    return {(role, url): _body(app, clients[role], url, observers)
            for role in OBSERVERS for url in urls[role]}  # fmt: skip


def test_no_page_of_the_four_roles_moves_when_a_crisis_opens(
    web_app: Flask, login_as: Callable[..., tuple[FlaskClient, Staff]], world: World
) -> None:
    logged_in = {role: login_as(role, school="局机关", district="市局") for role in OBSERVERS}
    clients = {role: client for role, (client, _) in logged_in.items()}
    observers = {str(staff.account_id) for _, staff in logged_in.values()}
    world.values["account_id"] += [staff.account_id for _, staff in logged_in.values()]
    urls = {role: _pages(web_app, role, world.values) for role in OBSERVERS}
    assert f"/waves/{world.wave_id}" in urls[Role.SYSTEM_ADMIN]
    assert "/audit/" in urls[Role.AUDITOR] and "/reports" in urls[Role.ANALYST]
    assert "/staff/accounts" in urls[Role.SECURITY_ADMIN]
    before = _snapshot(web_app, clients, urls, observers)
    # What the observers can see is real: names beside links, the teachers' consents.
    assert (
        "甲老师" in before[(Role.SYSTEM_ADMIN, f"/waves/{world.wave_id}/sheets/{world.school_id}")]
    )
    assert "survey.consent.given" in before[(Role.AUDITOR, "/audit/")]
    assert "个案预测" in before[(Role.SYSTEM_ADMIN, f"/waves/{world.wave_id}")]

    token = world.crisis_token
    saved = post_form(world.crisis_phone, f"/s/{token}/page/1", page_answers("phq9", phq9_9=1))
    assert saved.status_code == 200 and "12356" in saved.get_data(as_text=True)  # help lines
    database: Database = web_app.extensions["xinan.db"]
    settings = web_app.extensions["xinan.settings"]
    with web_app.app_context():
        session = database.session()
        response = session.scalars(
            select(Response).where(Response.invitation_id == world.outreach_invitation)
        ).one()
        open_outreach(session, referral_of(response, RiskLevel.MODERATE, []), utcnow())
        session.commit()
        database.sessions.remove()
    assert run_case_step_sweep(database, settings, utcnow() + dt.timedelta(hours=3)) >= 1
    with web_app.app_context():
        session = database.session()
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        assert session.scalar(select(func.count()).select_from(Outreach)) == 1
        notices = select(func.count()).where(Notification.key.like("casestep:%"))
        assert session.scalar(notices), "the supervisors were told by e-mail"
        database.sessions.remove()

    after = _snapshot(web_app, clients, urls, observers)
    changed = []
    for (role, url), page in before.items():
        if after[(role, url)] != page:
            diff = difflib.unified_diff(page.splitlines(), after[(role, url)].splitlines(),
                                        lineterm="", n=0)  # fmt: skip
            changed.append(f"{role.value} {url}:\n" + "\n".join(list(diff)[2:]))
    assert not changed, "pages that moved when a crisis opened:\n" + "\n".join(changed)
