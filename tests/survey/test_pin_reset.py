"""'Forgot my PIN': a code to the roster contact, never to the screen, then a new PIN; the draft
is kept, a code works once and expires, and wrong codes count on the link's throttle."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from census.models import Invitation, InvitationStatus
from config.settings import Settings
from db import utcnow
from notifications.models import Channel, Notification
from notifications.outbox import is_quiet
from org.models import Teacher
from privacy.audit.models import AuditEntry
from privacy.vault import key_ring
from survey.invitations.messages import pin_code_still_useful, quiet_hours
from survey.teacher import gate as teacher
from survey.teacher import pin as pins
from tests.support.factories.census import make_invitation, make_wave
from tests.support.factories.links import Link, invitation_of, make_link
from tests.support.factories.org import make_school, make_teacher
from tests.support.forms import mask_csrf, post_form
from tests.support.teacher import PIN, confirmed_browser, page_answers, start

NEW_PIN = "7391"
OFFICE = "203.0.113.5"  # one school office's address, as the server sees it
CODE = re.compile(r"验证码是 ([0-9]{6})")


@pytest.fixture
def link(db_session: Session) -> Link:
    return make_link(db_session)


@pytest.fixture
def started(client: FlaskClient, link: Link) -> Link:
    """A teacher who set the PIN, consented and saved the first page (PHQ-9)."""
    start(client, link.token, link.phone)
    assert post_form(client, f"{link.url}/page/1", page_answers("phq9")).status_code == 200
    return link


@pytest.fixture
def phone(app: Flask, link: Link) -> Iterator[FlaskClient]:
    """The teacher's own phone, another browser: only the phone ending entered there yet."""
    yield confirmed_browser(app, link)


def codes_sent(session: Session, link: Link) -> list[Notification]:
    key = f"pincode:{link.invitation.id}:%"
    stmt = select(Notification).where(Notification.key.like(key)).order_by(Notification.key)
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


def code_in(notification: Notification) -> str:
    match = CODE.search(notification.body or "")
    assert match, "no code in the message"
    return match.group(1)


def ask_for_code(browser: FlaskClient, link: Link) -> str:
    response = post_form(browser, f"{link.url}/pin/forgot", {})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def code_sent_to(browser: FlaskClient, session: Session, link: Link) -> str:
    """Ask for a code from ``browser`` and read it from the message to the roster contact."""
    ask_for_code(browser, link)
    return code_in(codes_sent(session, link)[-1])


def reset(browser: FlaskClient, link: Link, code: str, new_pin: str = NEW_PIN) -> int:
    fields = {"code": code, "pin": new_pin, "repeat": new_pin}
    response = post_form(
        browser, f"{link.url}/pin/reset", fields, token_url=f"{link.url}/pin/reset"
    )
    return response.status_code


def teacher_pin_is(session: Session, link: Link, pin: str) -> bool:
    return pins.pin_matches(key_ring(), invitation_of(session, link), pin)


def time_passes(session: Session, link: Link, delta: dt.timedelta) -> None:
    """Move the last code's sending time back by ``delta``, as if that long had passed."""
    invitation = invitation_of(session, link)
    assert invitation.pin_reset_sent_at is not None
    invitation.pin_reset_sent_at -= delta
    session.flush()


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
    assert not pin_code_still_useful(db_session, sent.key, utcnow())  # used up
    # The new PIN opens the link where the teacher stopped, with the draft as it was.
    assert phone.get(f"{link.url}/continue").headers["Location"].endswith("/page/2")
    assert phone.get(f"{link.url}/page/1").get_data(as_text=True).count("checked") == 9
    again = confirmed_browser(app, link)
    assert post_form(again, f"{link.url}/unlock", {"pin": PIN}).status_code == 200  # old: wrong
    assert post_form(again, f"{link.url}/unlock", {"pin": NEW_PIN}).status_code == 303
    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == str(link.invitation.id))
    ).all()
    assert "survey.pin.code_requested" in actions and "survey.pin.reset" in actions
    details = db_session.scalars(select(AuditEntry.detail)).all()
    assert all(code not in str(detail) for detail in details)


def test_a_reset_ends_the_unlock_of_every_other_browser(
    client: FlaskClient, phone: FlaskClient, db_session: Session, started: Link
) -> None:
    assert client.get(f"{started.url}/page/1").status_code == 200  # unlocked with the old PIN
    assert reset(phone, started, code_sent_to(phone, db_session, started)) == 303
    assert client.get(f"{started.url}/page/1").headers["Location"].endswith("/unlock")
    assert phone.get(f"{started.url}/page/1").status_code == 200


def test_a_code_works_once(
    phone: FlaskClient, db_session: Session, started: Link, app: Flask
) -> None:
    code = code_sent_to(phone, db_session, started)
    assert reset(phone, started, code) == 303
    assert invitation_of(db_session, started).pin_reset_hash is None
    # The unlocked browser is sent on; another one is refused the used code.
    assert phone.get(f"{started.url}/pin/reset").status_code == 302
    assert reset(confirmed_browser(app, started), started, code, "8264") == 200
    assert teacher_pin_is(db_session, started, NEW_PIN)


def test_the_form_sent_twice_passes_and_costs_no_try(
    phone: FlaskClient, db_session: Session, started: Link, app: Flask
) -> None:
    code = code_sent_to(phone, db_session, started)
    assert reset(phone, started, code) == 303
    # The same form again, from a browser that never saw the first answer (a double tap).
    assert reset(confirmed_browser(app, started), started, code) == 303
    assert invitation_of(db_session, started).pin_failures == 0


def test_a_code_expires(phone: FlaskClient, db_session: Session, started: Link) -> None:
    ask_for_code(phone, started)
    [sent] = codes_sent(db_session, started)
    time_passes(db_session, started, pins.RESET_CODE_TTL)
    fields = {"code": code_in(sent), "pin": NEW_PIN, "repeat": NEW_PIN}
    response = post_form(phone, f"{started.url}/pin/reset", fields)
    assert response.status_code == 200 and 'id="wrong"' in response.get_data(as_text=True)
    assert invitation_of(db_session, started).pin_failures == 1
    assert teacher_pin_is(db_session, started, PIN)


def test_the_outbox_drops_a_code_that_expired_or_whose_teacher_left(
    phone: FlaskClient, db_session: Session, started: Link
) -> None:
    ask_for_code(phone, started)
    [sent] = codes_sent(db_session, started)
    now = utcnow()
    assert pin_code_still_useful(db_session, sent.key, now)
    assert not pin_code_still_useful(db_session, sent.key, now + pins.RESET_CODE_TTL)
    invitation = invitation_of(db_session, started)
    invitation.status = InvitationStatus.WITHDRAWN
    db_session.flush()
    assert not pin_code_still_useful(db_session, sent.key, now)
    invitation.status = InvitationStatus.STARTED
    invitation.teacher.is_active = False
    db_session.flush()
    assert not pin_code_still_useful(db_session, sent.key, now)


def test_remembering_the_pin_ends_a_pending_code(
    phone: FlaskClient, db_session: Session, started: Link
) -> None:
    code = code_sent_to(phone, db_session, started)
    assert post_form(phone, f"{started.url}/unlock", {"pin": PIN}).status_code == 303
    invitation = invitation_of(db_session, started)
    assert invitation.pin_reset_hash is None
    assert not pins.reset_code_matches(key_ring(), invitation, code, utcnow())
    # Unlocking between requests does not cut the wait for the next code.
    other = confirmed_browser(phone.application, started)
    assert 'id="too-soon"' in ask_for_code(other, started)
    assert invitation_of(db_session, started).pin_reset_count == 1


def test_wrong_codes_lock_the_link_like_wrong_pins(
    phone: FlaskClient, db_session: Session, started: Link
) -> None:
    code = code_sent_to(phone, db_session, started)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(pins.MAX_FAILURES - 1):
        assert reset(phone, started, wrong) == 200
    response = post_form(phone, f"{started.url}/pin/reset", {"code": wrong, "pin": NEW_PIN,
                                                              "repeat": NEW_PIN})  # fmt: skip
    assert 'id="locked"' in response.get_data(as_text=True)
    assert reset(phone, started, code) == 429  # even the right code waits out the lock
    assert post_form(phone, f"{started.url}/pin/forgot", {}).status_code == 429
    assert teacher_pin_is(db_session, started, PIN)
    locked = db_session.scalars(
        select(AuditEntry.detail).where(AuditEntry.action == "survey.gate.locked")
    ).all()
    assert locked == [{"step": "pin_reset"}]


def test_a_new_pin_that_breaks_a_rule_costs_no_try(
    phone: FlaskClient, db_session: Session, started: Link
) -> None:
    code = code_sent_to(phone, db_session, started)
    fields = {"code": code, "pin": "1111", "repeat": "1111"}
    response = post_form(phone, f"{started.url}/pin/reset", fields)
    assert response.status_code == 400 and 'id="rejected"' in response.get_data(as_text=True)
    assert invitation_of(db_session, started).pin_failures == 0
    assert reset(phone, started, code) == 303


def test_each_new_code_waits_twice_as_long_and_replaces_the_last(
    phone: FlaskClient, db_session: Session, started: Link
) -> None:
    ask_for_code(phone, started)
    assert 'id="too-soon"' in ask_for_code(phone, started)
    [first] = codes_sent(db_session, started)
    time_passes(db_session, started, pins.RESET_RESEND_AFTER)
    assert 'id="code-sent"' in ask_for_code(phone, started)
    time_passes(db_session, started, pins.RESET_RESEND_AFTER)  # the third waits 10 minutes
    assert 'id="too-soon"' in ask_for_code(phone, started)
    time_passes(db_session, started, pins.RESET_RESEND_AFTER)
    assert 'id="code-sent"' in ask_for_code(phone, started)
    sent = codes_sent(db_session, started)
    assert len(sent) == 3 and invitation_of(db_session, started).pin_reset_count == 3
    latest = max(sent, key=lambda n: n.key)
    db_session.expire_all()  # as the outbox sweep's own session would read it
    now = utcnow()
    # Older messages, should they still wait in the outbox, are no longer sent; the latest is.
    assert [pin_code_still_useful(db_session, n.key, now) for n in sent].count(True) == 1
    assert pin_code_still_useful(db_session, latest.key, now)
    assert reset(phone, started, code_in(first)) == 200
    assert reset(phone, started, code_in(latest)) == 303
    assert invitation_of(db_session, started).pin_reset_count == 0


def test_no_contact_on_the_roster_reads_the_same_and_sends_nothing(
    client: FlaskClient, phone: FlaskClient, db_session: Session, link: Link, app: Flask
) -> None:
    start(client, link.token, link.phone)
    with_contact = ask_for_code(phone, link)
    nobody = make_link(db_session)
    start(app.test_client(), nobody.token, nobody.phone)
    other_browser = confirmed_browser(app, nobody)  # before the roster lost the contact
    roster = db_session.get(Teacher, nobody.invitation.teacher_id)
    assert roster is not None
    roster.phone, roster.email = None, None
    db_session.flush()
    without = ask_for_code(other_browser, nobody)
    assert codes_sent(db_session, nobody) == []
    assert 'id="code-sent"' in without
    assert strip_tokens(without, nobody) == strip_tokens(with_contact, link)
    queued = db_session.scalars(
        select(AuditEntry.detail)
        .where(AuditEntry.action == "survey.pin.code_requested")
        .order_by(AuditEntry.seq)
    ).all()
    assert queued == [{"queued": True}, {"queued": False}]


def strip_tokens(html: str, link: Link) -> str:
    """The page without what differs between links and sessions: the token and the CSRF."""
    return mask_csrf(html.replace(link.token, "TOKEN"))


def test_a_code_goes_out_at_once_even_in_the_sms_quiet_hours(
    db_session: Session, started: Link, settings: Settings
) -> None:
    late_evening = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert is_quiet(quiet_hours(settings), late_evening)
    invitation = invitation_of(db_session, started)
    outcome = teacher.send_reset_code(
        db_session, settings, key_ring(), invitation, late_evening, OFFICE
    )
    assert outcome is teacher.CodeRequest.SENT
    [sent] = codes_sent(db_session, started)
    assert sent.next_attempt_at == late_evening


def pin_set(session: Session, settings: Settings) -> Invitation:
    """An invitation of its own teacher and wave, whose PIN is set."""
    teacher_row = make_teacher(session, make_school(session))
    invitation, _token = make_invitation(session, make_wave(session), teacher_row)
    invitation.identity_confirmed_at = utcnow()
    teacher.set_pin(session, key_ring(), invitation, (PIN, PIN), utcnow())
    return invitation


def test_one_address_gets_only_so_many_codes_an_hour(
    db_session: Session, settings: Settings
) -> None:
    limited = replace(settings, pin_code_per_ip_per_hour=2)
    links = [pin_set(db_session, settings) for _ in range(4)]
    now = utcnow()

    def ask(invitation: Invitation, address: str, at: dt.datetime) -> teacher.CodeRequest:
        return teacher.send_reset_code(db_session, limited, key_ring(), invitation, at, address)

    assert [ask(i, OFFICE, now) for i in links[:3]] == [
        teacher.CodeRequest.SENT,
        teacher.CodeRequest.SENT,
        teacher.CodeRequest.THROTTLED,
    ]
    assert links[2].pin_reset_hash is None  # nothing recorded for the refused request
    queued = db_session.scalars(select(Notification).where(Notification.key.like("pincode:%")))
    assert len(list(queued)) == 2
    assert ask(links[3], "198.51.100.7", now) is teacher.CodeRequest.SENT  # another network
    later = now + dt.timedelta(hours=1, seconds=1)
    assert ask(links[2], OFFICE, later) is teacher.CodeRequest.SENT


def test_a_throttled_address_is_told_to_wait_and_nothing_is_sent(
    app: Flask,
    phone: FlaskClient,
    db_session: Session,
    started: Link,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_codes = replace(settings, pin_code_per_ip_per_hour=0)
    monkeypatch.setitem(app.extensions, "xinan.settings", no_codes)
    response = post_form(phone, f"{started.url}/pin/forgot", {})
    assert response.status_code == 429 and 'id="throttled"' in response.get_data(as_text=True)
    assert codes_sent(db_session, started) == []
    assert invitation_of(db_session, started).pin_reset_hash is None


def test_without_a_pin_there_is_nothing_to_reset(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    for path in ("/pin/forgot", "/pin/reset"):
        assert client.get(link.url + path).headers["Location"].endswith("/confirm")
    response = post_form(client, f"{link.url}/pin/forgot", {}, token_url=f"{link.url}/confirm")
    assert response.status_code == 302
    assert codes_sent(db_session, link) == []
    assert invitation_of(db_session, link).pin_reset_hash is None


def test_the_pages_speak_english_on_request(phone: FlaskClient, started: Link) -> None:
    phone.get(f"/lang/en?next={started.url}")
    body = phone.get(f"{started.url}/pin/forgot").get_data(as_text=True)
    assert "Forgot your PIN?" in body and "30 minutes" in body
    assert "Set a new PIN" in ask_for_code(phone, started)


def test_a_code_is_never_a_pin_of_the_same_digits(db_session: Session, link: Link) -> None:
    ring = key_ring()
    assert pins.reset_code_hash(ring, link.invitation, "482611") != pins.hash_pin(
        ring, link.invitation, "482611"
    )


def test_the_wait_for_a_new_code_doubles_up_to_a_day() -> None:
    waits = [pins.reset_code_wait(n) for n in (1, 2, 3, 9, 10, 60)]
    minutes = [int(w.total_seconds() // 60) for w in waits]
    assert minutes == [5, 10, 20, 1280, 1440, 1440]


def test_codes_keep_their_leading_zeros(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("survey.teacher.pin.secrets.randbelow", lambda _: 42)
    assert pins.new_reset_code() == "000042"


def test_a_code_is_bound_to_its_invitation(db_session: Session, link: Link) -> None:
    ring, now = key_ring(), utcnow()
    other, _ = make_invitation(db_session)
    for invitation in (link.invitation, other):
        invitation.pin_hash = pins.hash_pin(ring, invitation, PIN)
    pins.record_reset_code(ring, link.invitation, "123456", now)
    other.pin_reset_hash, other.pin_reset_sent_at = link.invitation.pin_reset_hash, now
    assert pins.reset_code_matches(ring, link.invitation, "123456", now)
    assert not pins.reset_code_matches(ring, other, "123456", now)
