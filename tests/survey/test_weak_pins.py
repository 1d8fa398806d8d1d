"""PINs a colleague or a script would try first are refused, each with its reason, and the
refusal costs no try: on setting the PIN and on resetting it."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from config.settings import Settings
from db import utcnow
from privacy.vault import key_ring
from survey.teacher import gate as teacher
from survey.teacher.gate_throttle import Guesser
from survey.teacher.pin import PinRejected
from survey.teacher.weak_pins import weakness
from tests.support.factories.census import make_invitation, make_wave
from tests.support.factories.links import Link, invitation_of
from tests.support.factories.org import make_school, make_teacher
from tests.support.forms import post_form
from tests.support.teacher import PIN, confirm

PHONE = "13900004719"  # its ending, 4719, is no weak PIN of any other kind

WEAK = {
    "trivial": ("0000", "666666", "8888", "1111", "1234", "123456", "9876", "7890", "2468",
                "13579", "1212", "123123", "112233", "1221", "123321"),
    "date": ("0520", "1225", "0315", "1990", "2008", "900101", "200512", "520131"),
    "common": ("1314", "521314", "5201", "521888", "131452", "584520", "2580", "0852", "1470",
               "1688", "6688", "16888", "789456", "147258"),
    "phone": ("4719", "947190", "47190"),
}  # fmt: skip
STRONG = ("4826", "7391", "5307", "6142", "8264", "9137", "60483", "730491")


@pytest.mark.parametrize(("reason", "pin"), [(r, p) for r, pins in WEAK.items() for p in pins])
def test_each_kind_of_weak_pin_is_named(reason: str, pin: str) -> None:
    assert weakness(pin, "4719") == reason


@pytest.mark.parametrize("pin", STRONG)
def test_pins_nobody_guesses_first_pass(pin: str) -> None:
    assert weakness(pin, "4719") is None


@pytest.fixture
def link(db_session: Session) -> Link:
    roster = make_teacher(db_session, make_school(db_session), phone=PHONE)
    wave = make_wave(db_session)
    invitation, token = make_invitation(db_session, wave, roster)
    return Link(invitation, token, PHONE, list(wave.battery))


WORDS = {  # words only each reason's message has (the PIN page's advice names every kind)
    "trivial": "如 0000、1234",
    "date": "像一个日期",
    "common": "很多人都在用",
    "phone": "PIN 码里不要有您手机号码",
}


def test_setting_a_weak_pin_is_refused_with_its_reason_and_costs_no_try(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    assert confirm(client, link.token, PHONE).status_code == 200
    for reason, weak_pin in (("trivial", "2468"), ("date", "0520"), ("common", "1314"),
                             ("common", "521314"), ("phone", "4719")):  # fmt: skip
        response = post_form(client, f"{link.url}/pin", {"pin": weak_pin, "repeat": weak_pin})
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and 'id="rejected"' in body, weak_pin
        assert WORDS[reason] in body, weak_pin
    invitation = invitation_of(db_session, link)
    assert invitation.pin_hash is None and invitation.pin_failures == 0
    assert post_form(client, f"{link.url}/pin", {"pin": PIN, "repeat": PIN}).status_code == 200
    assert invitation_of(db_session, link).pin_hash is not None


def test_the_refusal_speaks_english_on_request(client: FlaskClient, link: Link) -> None:
    client.get(f"/lang/en?next={link.url}")
    confirm(client, link.token, PHONE)
    body = post_form(client, f"{link.url}/pin", {"pin": "1990", "repeat": "1990"}).get_data(
        as_text=True
    )
    assert "looks like a date" in body


def test_a_reset_refuses_the_phone_ending_before_it_looks_at_the_code(
    db_session: Session, link: Link, settings: Settings
) -> None:
    invitation = invitation_of(db_session, link)
    invitation.identity_confirmed_at = utcnow()
    teacher.set_pin(db_session, key_ring(), invitation, (PIN, PIN), utcnow())
    guesser = Guesser.at(settings, key_ring(), "192.0.2.9")
    with pytest.raises(PinRejected) as refused:
        teacher.reset_pin(db_session, key_ring(), invitation, "000000", ("4719", "4719"),
                          utcnow(), guesser)  # fmt: skip
    assert refused.value.reason == "phone" and invitation.pin_failures == 0
