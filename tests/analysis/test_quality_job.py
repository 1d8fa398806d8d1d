"""The response-quality job over a wave: a careless teacher who rushed, straight-lined and endorsed
PHQ-9 item 9 is flagged, and their crisis case, level, routing and every other follow-up row stay
exactly as they were (a flag is a note, never an action). The job is idempotent, follows
withdrawals, runs from the CLI and inside a wave's release. On both databases.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.case_models import CaseEvent
from alerts.escalation_models import CaseStep
from alerts.models import Case, Outreach
from analysis.quality_job import assess_wave, battery_matrix
from census.models import Response, Wave, WaveState
from census.quality import ResponseQuality
from db import utcnow
from notifications.models import Notification
from scoring.levels import RiskLevel
from scoring.quality import INDICES
from survey.waves.service import change_state
from tests.analysis.honest_wave import HONEST, careless_answers, seed_honest
from tests.support.factories.census import make_invitation, make_wave
from tests.support.factories.links import Link, response_of
from tests.support.factories.org import make_school, make_teacher
from tests.support.forms import forms_in
from tests.support.teacher import start, submit


def careless_link(session: Session, wave: Wave) -> Link:
    """A teacher invited to ``wave``, at the honest teachers' school."""
    teacher = make_teacher(session, make_school(session))
    invitation, token = make_invitation(session, wave, teacher)
    return Link(invitation, token, teacher.phone or "", list(wave.battery))


def answer_carelessly(client: FlaskClient, link: Link) -> None:
    """The last option everywhere, each page posted the moment it is shown (its signed time
    posted back, as a browser does)."""
    chosen = careless_answers()
    for number in range(1, len(link.battery) + 1):
        html = client.get(f"{link.url}/page/{number}").get_data(as_text=True)
        (form,) = [form for form in forms_in(html) if form.method == "post"]
        fields = {k: str(chosen[k]) for k in form.fields if k in chosen}
        data = {"csrf_token": form.fields["csrf_token"], "shown": form.fields["shown"], **fields}
        assert client.post(f"{link.url}/page/{number}", data=data).status_code == 200


def follow_up(session: Session, response_id: Any) -> dict[str, Any]:
    """Everything a flag must never change: the level, the case and its routing and clock, and
    every follow-up row."""
    session.expire_all()
    response = session.get(Response, response_id)
    case = session.scalars(select(Case).where(Case.response_id == response_id)).one()
    counts = {
        model.__tablename__: session.scalar(select(func.count()).select_from(model))
        for model in (Case, CaseEvent, CaseStep, Outreach, Notification)
    }
    return {
        "level": response.risk_level if response else None,
        "case": (case.id, case.level, case.state, case.assignee_id, case.opened_at,
                 case.acknowledge_due_at, case.contact_due_at, case.reasons),
        "counts": counts,
    }  # fmt: skip


def _notes(session: Session, wave_id: int) -> dict[Any, ResponseQuality]:
    session.expire_all()
    query = select(ResponseQuality).where(ResponseQuality.wave_id == wave_id)
    return {note.response_id: note for note in session.scalars(query)}


def test_a_flagged_crisis_stays_a_crisis_and_nothing_else_moves(
    app: Flask, client: FlaskClient, db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    wave = make_wave(db_session)
    seed_honest(db_session, wave, make_school(db_session))
    link = careless_link(db_session, wave)
    start(client, link.token, link.phone)
    answer_carelessly(client, link)
    assert submit(client, link.token).status_code == 303
    response = response_of(db_session, link)
    assert response is not None and response.risk_level is RiskLevel.CRISIS
    assert json.loads(response.timings or "{}")["phq9"] < 2 * 9  # rushed: under 2 s an item
    before = follow_up(db_session, response.id)

    caplog.set_level(logging.DEBUG)
    assert assess_wave(db_session, wave.id, utcnow()) == HONEST + 1
    # Counts only in the log: never an answer, a time or a reason.
    logged = " ".join(str(record.__dict__) for record in caplog.records)
    assert "analysis.quality" in logged
    assert not any(word in logged for word in (*INDICES, "phq9_", "timings"))
    notes = _notes(db_session, wave.id)
    careless = notes[response.id]
    assert careless.flagged and careless.sample_size == HONEST + 1
    assert "seconds_per_item" in careless.reasons and len(careless.reasons) >= 2
    assert follow_up(db_session, response.id) == before
    assert before["case"][1] is RiskLevel.CRISIS and before["level"] is RiskLevel.CRISIS

    # The teacher's own pages never show it.
    for page in ("results", "done"):
        own = client.get(f"{link.url}/{page}")
        html = own.get_data(as_text=True)
        assert own.status_code == 200
        assert not any(sign in html for sign in ("答题情况提示", "作答过快", "may not reflect"))

    # Twice is the same as once: nothing written the second time.
    assert assess_wave(db_session, wave.id, utcnow()) == 0
    assert follow_up(db_session, response.id) == before


def test_the_cli_assesses_a_wave_and_refuses_one_without_answers(
    app: Flask, db_session: Session
) -> None:
    wave = make_wave(db_session)
    seed_honest(db_session, wave, make_school(db_session), n=5)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["analysis", "quality", "--wave", str(wave.id)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wave {wave.id}: 5 notes written\n"
    notes = _notes(db_session, wave.id)
    # Below MIN_SAMPLE the cut-offs mean nothing: notes are kept, nobody is flagged.
    assert len(notes) == 5 and not any(note.flagged for note in notes.values())
    again = runner.invoke(args=["analysis", "quality"])
    assert again.exit_code == 0 and f"wave {wave.id}: 0 notes written" in again.output
    draft = make_wave(db_session, state=WaveState.DRAFT)
    refused = runner.invoke(args=["analysis", "quality", "--wave", str(draft.id)])
    assert refused.exit_code != 0 and f"no wave {draft.id}" in refused.output


def test_a_withdrawn_or_erased_response_loses_its_note_at_the_next_run(
    app: Flask, db_session: Session
) -> None:
    wave = make_wave(db_session)
    seed_honest(db_session, wave, make_school(db_session), n=4)
    assess_wave(db_session, wave.id, utcnow())
    withdrawn, erased, *kept = db_session.scalars(
        select(Response).where(Response.wave_id == wave.id).order_by(Response.id)
    )
    withdrawn.withdrawn_at = utcnow()
    erased.answers = None
    db_session.flush()
    assert assess_wave(db_session, wave.id, utcnow()) == 2 + 2  # two deleted, two resized
    assert set(_notes(db_session, wave.id)) == {response.id for response in kept}


def test_releasing_a_wave_assesses_it_in_the_same_transaction(
    app: Flask, db_session: Session
) -> None:
    now = utcnow()
    wave = make_wave(db_session, opens_at=now - dt.timedelta(days=8), days=7)
    wave.state = WaveState.CLOSED
    seed_honest(db_session, wave, make_school(db_session), n=3)
    assert _notes(db_session, wave.id) == {}
    change_state(db_session, wave, "release", now)
    notes = _notes(db_session, wave.id)
    assert len(notes) == 3 and {note.computed_at for note in notes.values()} == {now}


def test_the_matrix_follows_the_analysis_battery_and_reads_unknown_times_as_nan() -> None:
    answers, seconds = battery_matrix(
        [('{"phq9_1": 2, "cbi_s6": 100}', '{"phq9": 30.5, "gad7": null}'), (None, None)]
    )
    assert answers.shape == (2, 60) and seconds.shape == (2, 6)
    assert answers[0, 0] == 2 and answers[0, 59] == 100
    assert int((answers[0] == answers[0]).sum()) == 2  # everything else NaN
    assert seconds[0, 0] == 30.5 and all(s != s for s in seconds[0, 1:])
    assert all(a != a for a in answers[1])
