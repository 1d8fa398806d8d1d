"""Lost link: the link goes to the roster contact, the page says the same either way, throttled."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from census.models import Invitation, WaveState
from db import utcnow
from notifications.models import Channel, Notification
from privacy.vault import key_ring
from survey.invitations.jobs import run_invitation_sweep
from survey.invitations.links import link_token
from survey.waves.jobs import run_wave_sweep
from tests.support.apps import CommittedApp
from tests.support.factories.census import make_wave
from tests.support.factories.org import seed_schools
from tests.support.forms import csrf_token


def _open_wave(env: CommittedApp) -> tuple[str, str, Invitation]:
    now = utcnow()
    with env.session() as session, session.begin():
        teacher = seed_schools(session, per_school=1)["东一小"][0]
        staff_no, phone = teacher.staff_no or "", teacher.phone or ""
        make_wave(session, state=WaveState.SCHEDULED, opens_at=now - dt.timedelta(days=1), days=14)
    run_wave_sweep(env.database, env.settings, now)
    run_invitation_sweep(env.database, env.settings, now)
    with env.session() as session:
        invitation = session.scalars(
            select(Invitation).where(Invitation.teacher_id == teacher.id)
        ).one()
    return staff_no, phone, invitation


def _ask(
    env: CommittedApp, staff_no: str, phone: str, address: str = "10.0.0.1"
) -> tuple[int, str]:
    client = env.app.test_client()
    token = csrf_token(client, "/lost-link")
    response = client.post(
        "/lost-link",
        data={"staff_no": staff_no, "phone": phone, "csrf_token": token},
        environ_overrides={"REMOTE_ADDR": address},
    )
    return response.status_code, response.get_data(as_text=True)


def _relinks(env: CommittedApp) -> list[Notification]:
    with env.session() as session:
        return list(session.scalars(select(Notification).where(Notification.key.like("relink:%"))))


def test_the_link_goes_to_the_roster_contact_and_never_to_the_screen(env: CommittedApp) -> None:
    staff_no, phone, invitation = _open_wave(env)
    status, page = _ask(env, staff_no.lower(), "+86 " + phone)
    assert status == 200
    [sent] = _relinks(env)
    assert sent.channel is Channel.SMS and sent.recipient == phone
    token = link_token(key_ring(), invitation.id)
    assert token in (sent.body or "")
    assert token not in page and phone not in page and staff_no not in page


def test_a_stranger_gets_the_same_answer_and_nothing_is_sent(env: CommittedApp) -> None:
    staff_no, phone, _ = _open_wave(env)
    _, matched = _ask(env, staff_no, phone, "10.0.0.2")
    _, wrong_phone = _ask(env, staff_no, "13800000000", "10.0.0.3")
    _, unknown = _ask(env, "NOBODY123", phone, "10.0.0.4")
    assert matched == wrong_phone == unknown
    assert len(_relinks(env)) == 1


def test_requests_are_throttled_per_staff_number_and_per_address(env: CommittedApp) -> None:
    staff_no, phone, _ = _open_wave(env)
    for n in range(3):
        assert _ask(env, staff_no, phone, f"10.0.1.{n}")[0] == 200
    assert _ask(env, staff_no, phone, "10.0.1.9")[0] == 429
    assert _ask(env, "UNKNOWN1", phone, "10.0.1.9")[0] == 200  # another number is not blocked
    for n in range(20):
        _ask(env, f"GUESS{n:03d}", phone, "10.0.2.1")
    assert _ask(env, "GUESS999", phone, "10.0.2.1")[0] == 429
    assert len(_relinks(env)) == 3


def test_no_staff_number_phone_or_token_reaches_the_log(env: CommittedApp) -> None:
    staff_no, phone, invitation = _open_wave(env)
    _ask(env, staff_no, phone)
    log = env.settings.log_file.read_text(encoding="utf-8") if env.settings.log_file else ""
    assert "/lost-link" in log
    for canary in (staff_no, phone, link_token(key_ring(), invitation.id)):
        assert canary not in log
