"""Erased means erased: the response-quality note is drawn from the answers, so withdrawal and the
end of retention delete it with them (the foreign key's cascade covers only a deleted response,
and both keep the row). Another response's note stays. On both databases.
"""

from __future__ import annotations

import datetime as dt
import json

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from census.models import Response, Wave, WaveState
from census.quality import ResponseQuality
from config.settings import Settings
from ops.retention import PurgeContext, retention_registry
from survey.teacher.consent import RETENTION_YEARS
from tests.support.factories.census import make_response, make_wave
from tests.support.factories.links import make_link, response_of
from tests.support.forms import post_form
from tests.support.teacher import LOW, finish

NOW = dt.datetime(2031, 6, 15, 9, 30, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def _note(session: Session, response: Response) -> None:
    note = ResponseQuality(response_id=response.id, wave_id=response.wave_id, flagged=True)
    note.reasons, note.sample_size = ["seconds_per_item", "even_odd"], 400
    session.add(note)
    session.flush()


def _noted(session: Session) -> set[object]:
    session.expire_all()
    return set(session.scalars(select(ResponseQuality.response_id)))


def _submitted(session: Session, wave: Wave) -> Response:
    answers, timings = json.dumps({"phq9_1": 1}), json.dumps({"phq9": 30.0})
    at = wave.closes_at - DAY
    return make_response(
        session, wave=wave, submitted_at=at, pages_saved=6, answers=answers, timings=timings
    )


def test_withdrawal_deletes_the_note_with_the_answers(
    client: FlaskClient, db_session: Session
) -> None:
    link = make_link(db_session)
    finish(client, link, LOW)
    response = response_of(db_session, link)
    assert response is not None
    other = _submitted(db_session, make_wave(db_session))
    _note(db_session, response)
    _note(db_session, other)
    assert _noted(db_session) == {response.id, other.id}

    reply = post_form(client, f"{link.url}/withdraw", {"confirm": "yes"})
    assert reply.status_code == 200
    assert _noted(db_session) == {other.id}
    erased = response_of(db_session, link)
    assert erased is not None and erased.answers_sealed is None and erased.timings_sealed is None


def test_the_end_of_retention_deletes_the_wave_notes_and_a_dry_run_keeps_them(
    app: Flask, db_session: Session, settings: Settings
) -> None:
    ends = NOW.replace(year=NOW.year - RETENTION_YEARS)
    past = make_wave(db_session, opens_at=ends - 15 * DAY, closes_at=ends - DAY,
                     state=WaveState.RELEASED)  # fmt: skip
    within = make_wave(db_session, opens_at=ends - 13 * DAY, closes_at=ends + DAY,
                       state=WaveState.RELEASED)  # fmt: skip
    gone, stays = _submitted(db_session, past), _submitted(db_session, within)
    _note(db_session, gone)
    _note(db_session, stays)
    rules = retention_registry(app)

    dry = PurgeContext(now=NOW, settings=settings, dry_run=True)
    assert rules.purge(db_session, "answers", dry) == 1
    assert _noted(db_session) == {gone.id, stays.id}
    assert rules.purge(db_session, "answers", PurgeContext(now=NOW, settings=settings)) == 1
    assert _noted(db_session) == {stays.id}
    erased = db_session.get(Response, gone.id)
    assert erased is not None and erased.timings_sealed is None and erased.answers_sealed is None
