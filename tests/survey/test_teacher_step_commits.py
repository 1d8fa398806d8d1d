"""One commit rule for the teacher's steps: a step commits what its service wrote before its
page is drawn, a wrong answer's count as surely as a right answer's result, whatever the page."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import create_app
from census.models import Invitation
from config.settings import Settings
from db import Database, utcnow
from privacy.vault import key_ring
from survey.teacher import gate as teacher
from survey.teacher import pages
from survey.teacher.gate import Answer
from survey.teacher.gate_throttle import Guesser
from tests.support.apps import build_settings
from tests.support.factories.census import make_invitation, make_wave
from tests.support.factories.org import make_school, make_teacher
from tests.support.forms import post_form


def _wrong(phone: str) -> str:
    return f"{(int(phone[-4:]) + 1) % 10000:04d}"


@pytest.fixture
def step_app(module_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance: Path = tmp_path_factory.mktemp("step-commits") / "instance"
    app = create_app(build_settings(instance, module_url))
    yield app
    app.extensions["xinan.db"].dispose()


def _committed_link(app: Flask) -> tuple[str, str, uuid.UUID]:
    database: Database = app.extensions["xinan.db"]
    with app.app_context():
        session = database.session()
        teacher_record = make_teacher(session, make_school(session))
        invitation, token = make_invitation(session, make_wave(session), teacher_record)
        found = (token, teacher_record.phone or "", invitation.id)
        session.commit()
        database.sessions.remove()
    return found


def _failures_outside(app: Flask, invitation_id: uuid.UUID) -> int:
    """The invitation's failure count as another connection sees it: what is committed."""
    with app.extensions["xinan.db"].engine.connect() as connection:
        query = select(Invitation.pin_failures).where(Invitation.id == invitation_id)
        return int(connection.execute(query).scalar_one() or 0)


def test_each_wrong_answers_count_is_committed_before_its_page_is_drawn(
    step_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, phone, invitation_id = _committed_link(step_app)
    committed_when_drawn: list[int] = []
    draw = pages.render

    def draw_and_look(
        template: str, v: pages.Visit | None, status: int = 200, **context: object
    ) -> ResponseReturnValue:
        if context.get("wrong") or context.get("locked"):
            committed_when_drawn.append(_failures_outside(step_app, invitation_id))
        return draw(template, v, status, **context)

    monkeypatch.setattr(pages, "render", draw_and_look)
    browser = step_app.test_client()
    replies = [
        post_form(browser, f"/s/{token}/confirm", {"digits": _wrong(phone)}) for _ in range(5)
    ]
    assert committed_when_drawn == [1, 2, 3, 4, 5]
    assert [r.status_code for r in replies] == [200] * 5  # the form again, with its own status
    assert 'id="locked"' in replies[-1].get_data(as_text=True)


def test_the_gate_returns_a_wrong_answer_counted_and_flushed(
    db_session: Session, settings: Settings
) -> None:
    invitation, _token = make_invitation(db_session)
    guesser = Guesser.at(settings, key_ring(), "192.0.2.1")
    wrong = _wrong(invitation.teacher.phone or "0000")
    answers = [
        teacher.confirm_identity(db_session, invitation, wrong, utcnow(), guesser) for _ in range(5)
    ]
    assert answers == [Answer.WRONG] * 4 + [Answer.LOCKED]
    assert invitation.pin_failures == 5 and invitation.pin_locked_until is not None
    assert not db_session.dirty and not db_session.new  # written, for the step to commit
