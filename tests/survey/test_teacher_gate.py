"""Until the phone ending is given, a link tells nothing about where its teacher stands.

A school office holds every teacher's link; a system administrator can print them. Watching a
link change from "not started" to "started" or "submitted" (or seeing a receipt, a declined or
withdrawn note) would tell them who took part, and when — next to a rising count of cases, who is
in crisis. So every request a link-holder can make before the phone ending is given gets the
same answer, byte for byte (but for the token and the CSRF nonce), for every teacher of the wave.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from census.models import InvitationStatus, Wave, WaveState
from survey.teacher.flow import page_order
from tests.support.factories.census import make_invitation, make_wave
from tests.support.factories.links import Link, invitation_of
from tests.support.factories.org import make_school, make_teacher
from tests.support.forms import mask_csrf, post_form
from tests.support.teacher import CRISIS, PIN, answer_all, confirm, page_answers, start, submit

COOKIE_VALUE = re.compile(r"^([^=]+)=[^;]*")

# Every page a link-holder can ask for: each step, tried directly.
GET_PATHS = (
    "", "/confirm", "/pin", "/unlock", "/consent", "/continue", "/page/1", "/page/2", "/page/6",
    "/page/7", "/page/99", "/review", "/submit", "/done", "/results", "/talk", "/withdraw",
    "/pin/forgot", "/pin/reset",
)  # fmt: skip
# Every form, posted with a valid CSRF token of the link-holder's own session.
POSTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("/unlock", {"pin": PIN}),
    ("/pin", {"pin": "7391", "repeat": "7391"}),
    ("/consent", {"decision": "decline"}),
    ("/page/1", page_answers("phq9")),
    ("/submit", {}),
    ("/talk", {}),
    ("/withdraw", {"confirm": "yes"}),
    ("/pin/forgot", {}),
    ("/pin/reset", {"code": "123456", "pin": "7391", "repeat": "7391"}),
)


def _walk(app: Flask, link: Link, *steps: Callable[[FlaskClient, Link], object]) -> None:
    browser = app.test_client()
    for step in steps:
        step(browser, link)


def _start(browser: FlaskClient, link: Link) -> None:
    start(browser, link.token, link.phone)


def _set_pin(browser: FlaskClient, link: Link) -> None:
    confirm(browser, link.token, link.phone)
    post_form(browser, f"{link.url}/pin", {"pin": PIN, "repeat": PIN})


def _crisis_page(browser: FlaskClient, link: Link) -> None:
    post_form(browser, f"{link.url}/page/1", page_answers("phq9", phq9_9=2))


def _submit_crisis(browser: FlaskClient, link: Link) -> None:
    answer_all(browser, link.token, link.battery, CRISIS)
    assert submit(browser, link.token).status_code == 303


def _decline(browser: FlaskClient, link: Link) -> None:
    post_form(browser, f"{link.url}/consent", {"decision": "decline"})


def _withdraw(browser: FlaskClient, link: Link) -> None:
    post_form(browser, f"{link.url}/withdraw", {"confirm": "yes"})


STATES: dict[str, tuple[Callable[[FlaskClient, Link], object], ...]] = {
    "invited": (),
    "phone ending given": (lambda browser, link: confirm(browser, link.token, link.phone),),
    "PIN set": (_set_pin,),
    "started, crisis page saved": (_start, _crisis_page),
    "submitted in crisis": (_start, _submit_crisis),
    "declined": (_set_pin, _decline),
    "withdrawn": (_start, _submit_crisis, _withdraw),
}


@pytest.fixture
def links(app: Flask, db_session: Session) -> dict[str, Link]:
    """One teacher in each state, all in one wave, each walked there in their own browser."""
    wave = make_wave(db_session)
    school = make_school(db_session)
    found: dict[str, Link] = {}
    for state, steps in STATES.items():
        teacher = make_teacher(db_session, school, name=f"状态{len(found)}老师")
        invitation, token = make_invitation(db_session, wave, teacher)
        link = Link(invitation, token, teacher.phone or "", list(wave.battery))
        _walk(app, link, *steps)
        found[state] = link
    statuses = {s: invitation_of(db_session, link).status for s, link in found.items()}
    assert statuses["submitted in crisis"] is InvitationStatus.SUBMITTED
    assert statuses["declined"] is InvitationStatus.DECLINED
    assert statuses["withdrawn"] is InvitationStatus.WITHDRAWN
    return found


def seen(response: TestResponse, link: Link) -> tuple[object, ...]:
    """The whole answer, but for what differs between links and sessions by construction: the
    token (in addresses) and the CSRF nonce (in forms and in the cookie's value)."""
    body = mask_csrf(response.get_data(as_text=True).replace(link.token, "TOKEN"))
    headers = sorted(
        (name, value.replace(link.token, "TOKEN"))
        for name, value in response.headers.items()
        if name not in ("Set-Cookie", "Content-Length")
    )
    cookies = sorted(COOKIE_VALUE.sub(r"\1=", c) for c in response.headers.getlist("Set-Cookie"))
    return response.status_code, headers, cookies, body


def before_the_gate(app: Flask, link: Link) -> dict[str, tuple[object, ...]]:
    """What a fresh browser holding only the link gets for every request it can make."""
    browser = app.test_client()
    answers = {f"GET {path}": seen(browser.get(link.url + path), link) for path in GET_PATHS}
    # HEAD of /confirm runs its POST code today (issue #15, finding 4: fixed on its own branch).
    heads = [path for path in GET_PATHS if path != "/confirm"]
    answers.update({f"HEAD {p}": seen(browser.head(link.url + p), link) for p in heads})
    wrong = f"{(int(link.phone[-4:]) + 1) % 10000:04d}"
    for path, fields in (("/confirm", {"digits": wrong}), *POSTS):
        response = post_form(browser, link.url + path, fields, token_url=f"{link.url}/confirm")
        answers[f"POST {path}"] = seen(response, link)
    return answers


def assert_all_alike(app: Flask, links: dict[str, Link]) -> None:
    answers = {state: before_the_gate(app, link) for state, link in links.items()}
    first = answers.pop("invited")
    for state, answer in answers.items():
        for request_line, expected in first.items():
            assert answer[request_line] == expected, (state, request_line)


def test_before_the_phone_ending_every_link_of_the_wave_answers_alike(
    app: Flask, db_session: Session, links: dict[str, Link]
) -> None:
    assert_all_alike(app, links)
    # Nothing a link-holder sent moved any teacher on, and only the wrong ending was counted.
    statuses = {s: invitation_of(db_session, link).status for s, link in links.items()}
    assert statuses["invited"] is InvitationStatus.INVITED
    assert statuses["started, crisis page saved"] is InvitationStatus.STARTED
    assert statuses["PIN set"] is InvitationStatus.INVITED
    assert {invitation_of(db_session, link).pin_failures for link in links.values()} == {1}
    assert invitation_of(db_session, links["PIN set"]).consented_at is None


def test_after_the_wave_closes_every_link_still_answers_alike(
    app: Flask, db_session: Session, links: dict[str, Link]
) -> None:
    wave = db_session.get(Wave, links["invited"].invitation.wave_id)
    assert wave is not None
    wave.state = WaveState.CLOSED
    db_session.flush()
    assert_all_alike(app, links)


def test_after_the_phone_ending_the_teacher_sees_where_they_stand(
    app: Flask, links: dict[str, Link]
) -> None:
    """The gate leads on: to the PIN (set or entered), or to the outcome; the receipt is shown
    as before, and answers and results still need the PIN."""
    where = {}
    for state, link in links.items():
        browser = app.test_client()
        reply = confirm(browser, link.token, link.phone)
        target = reply.headers.get("Location", "the PIN page")
        landing = browser.get(link.url).get_data(as_text=True)
        where[state] = (reply.status_code, target.replace(link.url, ""), landing)
    assert where["invited"][:2] == (200, "the PIN page")
    assert where["started, crisis page saved"][:2] == (303, "/unlock")
    assert where["submitted in crisis"][:2] == (303, "/unlock")
    assert 'id="receipt"' in where["submitted in crisis"][2]
    assert where["declined"][:2] == (303, "")
    assert "不参加" in where["declined"][2]
    assert "已撤回" in where["withdrawn"][2]
    for _status, _target, landing in where.values():
        assert 'id="helplines"' not in landing and 'id="result-' not in landing


def test_the_landing_before_the_gate_offers_one_way_in(
    client: FlaskClient, links: dict[str, Link]
) -> None:
    link = links["submitted in crisis"]
    body = client.get(link.url).get_data(as_text=True)
    assert 'id="about"' in body and f'href="{link.url}/confirm"' in body
    for status_mark in ('id="status"', 'id="receipt"', "已完成", "已撤回", "输入 PIN 码"):
        assert status_mark not in body, status_mark
    assert len(page_order(link.battery)) == 6  # the paths above try every page and one more
