"""'Forgot my PIN': a code to the roster contact, never to the screen, then a new PIN; the draft
is kept, a code works once and expires, and wrong codes count on the link's throttle."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.outbox import Channel, Notification
from config.settings import Settings
from db import utcnow
from privacy.audit.models import AuditEntry
from privacy.vault import key_ring
from survey import pin as pins
from survey import teacher
from survey.invitations_notify import pin_code_still_useful
from survey.models import Invitation
from tests.factories import make_school, make_teacher
from tests.survey.factories import make_invitation, make_wave
from tests.survey.teacher_support import PIN, page_answers, post, start

NEW_PIN = "7391"
CODE = re.compile(r"验证码是 ([0-9]{6})")


@dataclass
class Link:
    invitation: Invitation
    token: str
    phone: str

    @property
    def url(self) -> str:
        return f"/s/{self.token}"


@pytest.fixture
def link(db_session: Session) -> Link:
    teacher_row = make_teacher(db_session, make_school(db_session))
    invitation, token = make_invitation(db_session, make_wave(db_session), teacher_row)
    return Link(invitation, token, teacher_row.phone or "")


@pytest.fixture
def started(client: FlaskClient, link: Link) -> Link:
    """A teacher who set the PIN, consented and saved the first page (PHQ-9)."""
    start(client, link.token, link.phone)
    assert post(client, f"{link.url}/page/1", page_answers("phq9")).status_code == 200
    return link


@pytest.fixture
def phone(app: Flask) -> Iterator[FlaskClient]:
    """The teacher's own phone, another browser: nothing entered there yet."""
    yield app.test_client()


def codes_sent(session: Session, link: Link) -> list[Notification]:
    key = f"pincode:{link.invitation.id}:%"
    stmt = select(Notification).where(Notification.key.like(key)).order_by(Notification.key)
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


def code_in(notification: Notification) -> str:
    match = CODE.search(notification.body or "")
    assert match, "no code in the message"
    return match.group(1)


def invitation_of(session: Session, link: Link) -> Invitation:
    found = session.get(Invitation, link.invitation.id, populate_existing=True)
    assert found is not None
    return found


def ask_for_code(browser: FlaskClient, link: Link) -> str:
    response = post(browser, f"{link.url}/pin/forgot", {})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def reset(browser: FlaskClient, link: Link, code: str, new_pin: str = NEW_PIN) -> int:
    fields = {"code": code, "pin": new_pin, "repeat": new_pin}
    response = post(browser, f"{link.url}/pin/reset", fields, token_url=f"{link.url}/pin/reset")
    return response.status_code


def test_a_forgotten_pin_is_replaced_with_a_code_sent_to_the_roster_phone(
    phone: FlaskClient, db_session: Session, started: Link, app: Flask
) -> None:
    link = started
    unlock = phone.get(f"{link.url}/unlock").get_data(as_text=True)
    assert f'href="{link.url}/pin/forgot"' in unlock
    page = ask_for_code(phone, link)
    assert f'rel="canonical" href="{link.url}/pin/reset"' in page and 'id="code-sent"' in page
    [sent] = codes_sent(db_session, link)
    assert sent.channel is Channel.SMS and sent.recipient == link.phone
    code = code_in(sent)
    assert code not in page and link.phone not in page
    assert reset(phone, link, code) == 303
    # The new PIN opens the link where the teacher stopped, with the draft as it was.
    assert phone.get(f"{link.url}/continue").headers["Location"].endswith("/page/2")
    assert phone.get(f"{link.url}/page/1").get_data(as_text=True).count("checked") == 9
    again = app.test_client()
    assert post(again, f"{link.url}/unlock", {"pin": PIN}).status_code == 200  # old: wrong
    assert post(again, f"{link.url}/unlock", {"pin": NEW_PIN}).status_code == 303
    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == str(link.invitation.id))
    ).all()
    assert "survey.pin.code_sent" in actions and "survey.pin.reset" in actions
    details = db_session.scalars(select(AuditEntry.detail)).all()
    assert all(code not in str(detail) for detail in details)


def test_a_code_works_once(
    phone: FlaskClient, db_session: Session, started: Link, app: Flask
) -> None:
    ask_for_code(phone, started)
    code = code_in(codes_sent(db_session, started)[0])
    assert reset(phone, started, code) == 303
    assert invitation_of(db_session, started).pin_reset_hash is None
    # The unlocked browser is sent on; another one is refused the used code.
    assert phone.get(f"{started.url}/pin/reset").status_code == 302
    assert reset(app.test_client(), started, code, "8264") == 200
    assert teacher_pin_is(db_session, started, NEW_PIN)


def test_a_code_expires(phone: FlaskClient, db_session: Session, started: Link) -> None:
    ask_for_code(phone, started)
    code = code_in(codes_sent(db_session, started)[0])
    invitation = invitation_of(db_session, started)
    sent_at = invitation.pin_reset_sent_at
    assert sent_at is not None
    invitation.pin_reset_sent_at = sent_at - pins.RESET_CODE_TTL
    db_session.flush()
    assert reset(phone, started, code) == 200  # "not right", as any wrong code
    assert invitation_of(db_session, started).pin_failures == 1
    assert teacher_pin_is(db_session, started, PIN)


def test_wrong_codes_lock_the_link_like_wrong_pins(
    phone: FlaskClient, db_session: Session, started: Link
) -> None:
    ask_for_code(phone, started)
    code = code_in(codes_sent(db_session, started)[0])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(pins.MAX_FAILURES - 1):
        assert reset(phone, started, wrong) == 200
    response = post(phone, f"{started.url}/pin/reset", {"code": wrong, "pin": NEW_PIN,
                    "repeat": NEW_PIN})  # fmt: skip
    assert 'id="locked"' in response.get_data(as_text=True)
    assert reset(phone, started, code) == 429  # even the right code waits out the lock
    assert post(phone, f"{started.url}/pin/forgot", {}).status_code == 429
    assert teacher_pin_is(db_session, started, PIN)


def test_a_new_pin_that_breaks_a_rule_costs_no_try(
    phone: FlaskClient, db_session: Session, started: Link
) -> None:
    ask_for_code(phone, started)
    code = code_in(codes_sent(db_session, started)[0])
    fields = {"code": code, "pin": "1111", "repeat": "1111"}
    response = post(phone, f"{started.url}/pin/reset", fields)
    assert response.status_code == 400 and 'id="rejected"' in response.get_data(as_text=True)
    assert invitation_of(db_session, started).pin_failures == 0
    assert reset(phone, started, code) == 303


def test_a_new_code_waits_a_few_minutes_and_replaces_the_last(
    phone: FlaskClient, db_session: Session, started: Link
) -> None:
    ask_for_code(phone, started)
    assert 'id="too-soon"' in ask_for_code(phone, started)
    [first] = codes_sent(db_session, started)
    invitation = invitation_of(db_session, started)
    assert invitation.pin_reset_sent_at is not None
    invitation.pin_reset_sent_at -= pins.RESET_RESEND_AFTER
    db_session.flush()
    assert 'id="code-sent"' in ask_for_code(phone, started)
    second = next(n for n in codes_sent(db_session, started) if n.id != first.id)
    now = utcnow()
    db_session.expire_all()  # as the outbox sweep's own session would read it
    # The older message, should it still wait in the outbox, is no longer sent; the newer is.
    assert not pin_code_still_useful(db_session, first.key, now)
    assert pin_code_still_useful(db_session, second.key, now)
    assert reset(phone, started, code_in(first)) == 200
    assert reset(phone, started, code_in(second)) == 303


def test_a_code_goes_out_at_once_even_in_the_sms_quiet_hours(
    db_session: Session, started: Link, settings: Settings
) -> None:
    late_evening = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    invitation = invitation_of(db_session, started)
    assert teacher.send_reset_code(db_session, settings, key_ring(), invitation, late_evening)
    [sent] = codes_sent(db_session, started)
    assert sent.next_attempt_at == late_evening


def test_without_a_pin_there_is_nothing_to_reset(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    for path in ("/pin/forgot", "/pin/reset"):
        assert client.get(link.url + path).headers["Location"].endswith("/confirm")
    response = post(client, f"{link.url}/pin/forgot", {}, token_url=f"{link.url}/confirm")
    assert response.status_code == 302
    assert codes_sent(db_session, link) == []
    assert invitation_of(db_session, link).pin_reset_hash is None


def test_the_pages_speak_english_on_request(phone: FlaskClient, started: Link) -> None:
    phone.get(f"/lang/en?next={started.url}")
    body = phone.get(f"{started.url}/pin/forgot").get_data(as_text=True)
    assert "Forgot your PIN?" in body and "30 minutes" in body
    assert "Set a new PIN" in ask_for_code(phone, started)


def teacher_pin_is(session: Session, link: Link, pin: str) -> bool:
    return pins.pin_matches(key_ring(), invitation_of(session, link), pin)


def test_a_code_is_never_a_pin_of_the_same_digits(db_session: Session, link: Link) -> None:
    ring = key_ring()
    assert pins.reset_code_hash(ring, link.invitation, "482611") != pins.hash_pin(
        ring, link.invitation, "482611"
    )
    assert len(pins.new_reset_code()) == 6 and pins.new_reset_code().isdigit()
