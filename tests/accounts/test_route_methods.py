"""HEAD, OPTIONS, PUT, DELETE and PATCH on every route change nothing (protection.md test 15).

Flask answers HEAD with a route's GET code, and Flask-WTF checks CSRF only on POST, PUT, PATCH
and DELETE: a view that runs its form code for anything but GET would take a HEAD with a form
body and no token. Every route of the URL map, with each teacher link at each step of the flow,
is asked with a form that would change something, by an anonymous browser, a member of staff
holding every role, and a teacher part-way through several links.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.roles import Role
from census.models import Invitation, Response
from db import Base, Database
from privacy.audit.models import AuditEntry
from survey.teacher.flow import page_order
from tests.support.factories.links import Link, make_link
from tests.support.forms import csrf_token, post_form
from tests.support.routes import route_urls
from tests.support.staff import PASSWORD, Staff, login, totp_now
from tests.support.teacher import PIN, page_answers, phone_digits, start

SAFE_METHODS = ("HEAD", "OPTIONS")
OTHER_METHODS = ("PUT", "DELETE", "PATCH")
# What a GET may audit: reads and refusals.
READ_ACTIONS = {"authz.deny", "report.view", "audit.verify", "wave.sheet_view", "wave.sheet_export"}
AUDIT_TABLES = {"audit_entries", "audit_head"}


@pytest.fixture
def links(web_app: Flask) -> dict[str, Link]:
    """Four links of one wave's teachers, committed; the flow moves them along in the tests."""
    database: Database = web_app.extensions["xinan.db"]
    with web_app.app_context():
        session = database.session()
        made = {step: make_link(session) for step in ("fresh", "confirmed", "pinned", "answering")}
        session.commit()
        database.sessions.remove()
    return made


def _teacher_part_way(web_app: Flask, links: dict[str, Link]) -> FlaskClient:
    """One browser: a link confirmed, one with its PIN set, one answering with page 1 saved."""
    client = web_app.test_client()
    confirmed, pinned, answering = links["confirmed"], links["pinned"], links["answering"]
    digits = {"digits": phone_digits(confirmed.phone)}
    assert post_form(client, f"{confirmed.url}/confirm", digits).status_code == 200
    assert (
        post_form(
            client, f"{pinned.url}/confirm", {"digits": phone_digits(pinned.phone)}
        ).status_code
        == 200
    )
    assert post_form(client, f"{pinned.url}/pin", {"pin": PIN, "repeat": PIN}).status_code == 200
    start(client, answering.token, answering.phone)
    first = page_order(answering.battery)[0]
    assert post_form(client, f"{answering.url}/page/1", page_answers(first)).status_code == 200
    return client


def _form(endpoint: str, url: str, links: dict[str, Link], staff: Staff) -> dict[str, str]:
    """The form a browser would post to ``url``: enough for the view's POST code to act on it
    (the teacher's views refuse any field they do not read)."""
    link = next((x for x in links.values() if f"/s/{x.token}" in url), links["fresh"])
    teacher = {
        "teacher.confirm": {"digits": phone_digits(link.phone)},
        "teacher.new_pin": {"pin": PIN, "repeat": PIN},
        "teacher.unlock": {"pin": PIN},
        "teacher.consent": {"decision": "decline"},
        # Item 9 of the PHQ-9 at 1: saved, it would also open a crisis case.
        "teacher.page": {**page_answers(page_order(link.battery)[0], value=1), "go": "next"},
        "teacher.withdraw": {"confirm": "yes"},
        "teacher.pin_forgot": {},
        "teacher.pin_reset": {"code": "123456", "pin": PIN, "repeat": PIN},
    }
    # Staff forms ignore fields they do not know: one form with the right login for all.
    login_form = {"username": staff.username, "password": PASSWORD, "code": totp_now(staff.secret)}
    return teacher.get(endpoint, login_form)


def _snapshot(database: Database) -> dict[str, Any]:
    """Row counts of every table but the audit log; each link's state and sealed draft."""
    with Session(database.engine) as session:
        counts = {
            table.name: session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
            if table.name not in AUDIT_TABLES
        }
        invitations = session.execute(
            select(
                Invitation.id,
                Invitation.status,
                Invitation.pin_hash,
                Invitation.pin_failures,
                Invitation.identity_confirmed_at,
                Invitation.consented_at,
                Invitation.pin_reset_hash,
            ).order_by(Invitation.id)
        ).all()
        drafts = session.execute(
            select(
                Response.id,
                Response.answers_sealed,
                Response.pages_saved,
                Response.version,
                Response.submitted_at,
                Response.withdrawn_at,
            ).order_by(Response.id)
        ).all()
    return {"counts": counts, "invitations": invitations, "drafts": drafts}


def _audit_actions_after(database: Database, last_id: int) -> set[str]:
    with Session(database.engine) as session:
        return set(session.scalars(select(AuditEntry.action).where(AuditEntry.id > last_id)))


def _last_audit_id(database: Database) -> int:
    with Session(database.engine) as session:
        return session.scalar(select(func.max(AuditEntry.id))) or 0


def test_no_route_takes_put_delete_or_patch(web_app: Flask) -> None:
    # Flask-WTF's validate_on_submit() counts these as submissions: no view may accept them.
    for rule in web_app.url_map.iter_rules():
        assert (rule.methods or set()) <= {"GET", "HEAD", "OPTIONS", "POST"}, rule.endpoint


def test_views_dispatch_on_post_never_on_get() -> None:
    # "not GET" includes HEAD, which Flask routes to the GET view without a CSRF check.
    root = Path(__file__).resolve().parents[2]
    on_get = re.compile(r"request\.method\s*[!=]=\s*[\"']GET[\"']")
    packages = [d for d in root.iterdir() if (d / "__init__.py").exists() and d.name != "tests"]
    sources = [*root.glob("*.py"), *(p for d in packages for p in d.rglob("*.py"))]
    assert sources
    assert [str(p) for p in sources if on_get.search(p.read_text(encoding="utf-8"))] == []


def test_head_options_put_delete_patch_change_nothing_on_any_route(
    web_app: Flask, make_staff: Callable[..., Staff], links: dict[str, Link]
) -> None:
    database: Database = web_app.extensions["xinan.db"]
    staff, member = web_app.test_client(), make_staff(*Role)
    assert login(staff, member) == 302
    personas = {
        "anonymous": web_app.test_client(),
        "staff": staff,
        "teacher": _teacher_part_way(web_app, links),
    }
    tokens = {name: csrf_token(client, "/login") for name, client in personas.items()}
    urls = route_urls(web_app, [link.token for link in links.values()])
    before, last_audit = _snapshot(database), _last_audit_id(database)
    for name, client in personas.items():
        for rule, url in urls:
            for method in SAFE_METHODS + OTHER_METHODS:
                form = {"csrf_token": tokens[name], **_form(rule.endpoint, url, links, member)}
                response = client.open(url, method=method, data=form)
                status = response.status_code
                response.close()
                assert status < 500, (name, method, url, status)
                if method in OTHER_METHODS:
                    assert status == 405, (name, method, rule.endpoint, status)
    assert _snapshot(database) == before
    assert _audit_actions_after(database, last_audit) <= READ_ACTIONS
