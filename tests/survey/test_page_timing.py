"""Page times inside the sealed response: each page carries the signed time it was shown, and its
save adds the seconds it was open to that instrument's (the rushing index of the response-quality
check). A missing, tampered, foreign or absurd time makes the page's time unknown, never an error
for the teacher; looking at a page writes nothing. Through the teacher's pages, on both databases.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from census.models import Response
from db import utcnow
from survey.teacher import page_timing
from tests.support.factories.links import Link, make_link, response_of
from tests.support.forms import forms_in
from tests.support.teacher import page_answers, start


class Clock:
    """The time the teacher's pages read (``survey.teacher.pages.utcnow``), moved by the test."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("survey.teacher.pages.utcnow", clock)
    return clock


@pytest.fixture
def link(client: FlaskClient, db_session: Session) -> Link:
    """A teacher past consent, on the first page (PHQ-9)."""
    made = make_link(db_session)
    start(client, made.token, made.phone)
    return made


def _shown(client: FlaskClient, link: Link, number: int) -> tuple[str, dict[str, str]]:
    """The page's hidden "shown" field and the CSRF token, as the browser holds them."""
    html = client.get(f"{link.url}/page/{number}").get_data(as_text=True)
    (form,) = [form for form in forms_in(html) if form.method == "post"]
    return form.fields[page_timing.FIELD], {"csrf_token": form.fields["csrf_token"]}


def _save(
    client: FlaskClient, link: Link, number: int, shown: str | None, csrf: dict[str, str]
) -> int:
    data = {**csrf, **page_answers(("phq9", "gad7")[number - 1]), "go": "next"}
    if shown is not None:
        data[page_timing.FIELD] = shown
    return client.post(f"{link.url}/page/{number}", data=data).status_code


def _timings(session: Session, link: Link) -> dict[str, float | None]:
    response = response_of(session, link)
    assert response is not None
    return dict(json.loads(response.timings or "{}"))


def test_each_save_adds_the_seconds_its_page_was_open(
    client: FlaskClient, db_session: Session, link: Link, clock: Clock
) -> None:
    shown, csrf = _shown(client, link, 1)
    clock.advance(45)
    assert _save(client, link, 1, shown, csrf) == 200
    assert _timings(db_session, link) == {"phq9": 45.0}

    shown, csrf = _shown(client, link, 2)
    clock.advance(30.4)
    assert _save(client, link, 2, shown, csrf) == 200
    shown, csrf = _shown(client, link, 1)  # back to PHQ-9 and saved again: the time adds up
    clock.advance(12)
    assert _save(client, link, 1, shown, csrf) == 200
    assert _timings(db_session, link) == {"phq9": 57.0, "gad7": 30.4}


def test_looking_at_a_page_writes_nothing(
    client: FlaskClient, db_session: Session, link: Link, clock: Clock
) -> None:
    shown, csrf = _shown(client, link, 1)
    clock.advance(20)
    assert _save(client, link, 1, shown, csrf) == 200
    before = response_of(db_session, link)
    assert before is not None
    version, sealed = before.version, before.timings_sealed
    for _ in range(3):
        clock.advance(600)
        assert client.get(f"{link.url}/page/1").status_code == 200
    after = response_of(db_session, link)
    assert after is not None and (after.version, after.timings_sealed) == (version, sealed)


def _tampered(shown: str) -> str:
    return shown[:-2] + ("AA" if not shown.endswith("AA") else "BB")


def _signed_ago(app: Flask, clock: Clock, seconds: float) -> str:
    """A genuine "shown" field of the PHQ-9 page, shown ``seconds`` ago (the teacher's unlock
    would lapse if the clock itself moved on that far)."""
    with app.test_request_context():
        return page_timing.shown_field("phq9", clock.now - dt.timedelta(seconds=seconds))


@pytest.mark.parametrize("case", ["missing", "tampered", "other page", "over two hours"])
def test_an_unknown_time_is_saved_as_unknown_and_stays_so(
    app: Flask, client: FlaskClient, db_session: Session, link: Link, clock: Clock, case: str
) -> None:
    shown, csrf = _shown(client, link, 1)
    posted = {
        "missing": None,
        "tampered": _tampered(shown),
        "other page": _shown(client, link, 2)[0],
        "over two hours": _signed_ago(app, clock, 2 * 3600 - 39),
    }[case]
    clock.advance(40)
    assert _save(client, link, 1, posted, csrf) == 200  # the answers are saved all the same
    response = response_of(db_session, link)
    assert response is not None and json.loads(response.answers or "{}")["phq9_1"] == 0
    assert _timings(db_session, link) == {"phq9": None}
    # A later quick save must not make the page look rushed: unknown stays unknown.
    shown, csrf = _shown(client, link, 1)
    clock.advance(3)
    assert _save(client, link, 1, shown, csrf) == 200
    assert _timings(db_session, link) == {"phq9": None}


def test_a_time_signed_with_another_secret_is_unknown(app: Flask, clock: Clock) -> None:
    other = Flask("other")
    other.secret_key = b"not this app's secret"
    with other.test_request_context():
        forged = page_timing.shown_field("phq9", clock.now - dt.timedelta(seconds=30))
    with app.test_request_context():
        assert page_timing.seconds_on_page(forged, "phq9", clock.now) is None
        genuine = page_timing.shown_field("phq9", clock.now - dt.timedelta(seconds=30))
        assert page_timing.seconds_on_page(genuine, "phq9", clock.now) == 30.0
        assert page_timing.seconds_on_page(genuine, "gad7", clock.now) is None
        past = clock.now - dt.timedelta(seconds=31)  # saved before it was shown
        assert page_timing.seconds_on_page(genuine, "phq9", past) is None


def test_erasure_takes_the_timings_with_the_answers(
    client: FlaskClient, db_session: Session, link: Link, clock: Clock
) -> None:
    shown, csrf = _shown(client, link, 1)
    clock.advance(15)
    assert _save(client, link, 1, shown, csrf) == 200
    html = client.get(f"{link.url}/withdraw").get_data(as_text=True)
    (form,) = [form for form in forms_in(html) if form.method == "post"]
    withdrawn = client.post(
        f"{link.url}/withdraw", data={"csrf_token": form.fields["csrf_token"], "confirm": "yes"}
    )
    assert withdrawn.status_code == 200
    response = db_session.get(Response, response_of(db_session, link).id)  # type: ignore[union-attr]
    assert response is not None and response.timings_sealed is None
