"""Reminders with a fake clock: on day 3 and day 6, each once, never to those who answered."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from zoneinfo import ZoneInfo

from sqlalchemy import select

from census.models import Invitation, InvitationStatus, WaveState
from config.settings import Settings
from notifications.models import DeliveryState, Notification
from notifications.sweep import run_outbox_sweep
from survey.invitations.jobs import run_invitation_sweep, run_reminder_sweep
from survey.invitations.messages import (
    due_reminder_day,
    enqueue_relink,
    register_guards,
    reminder_time,
)
from survey.waves.jobs import run_wave_sweep
from tests.support.apps import CommittedApp
from tests.support.factories.census import T0, make_wave
from tests.support.factories.org import seed_schools
from tests.support.gateways import GATEWAY_TOKEN, Gateway

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.timedelta(days=1)
DAY3 = dt.datetime(2026, 12, 9, 10, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)
DAY6 = DAY3 + 3 * DAY


def _open_wave(env: CommittedApp, per_school: int = 2) -> list[Invitation]:
    with env.session() as session, session.begin():
        seed_schools(session, per_school=per_school)
        make_wave(session, state=WaveState.SCHEDULED, opens_at=T0, days=14)
    run_wave_sweep(env.database, env.settings, T0)
    run_invitation_sweep(env.database, env.settings, T0)
    with env.session() as session:
        return list(session.scalars(select(Invitation).order_by(Invitation.id)))


def _set_status(env: CommittedApp, invitation: Invitation, status: InvitationStatus) -> None:
    with env.session() as session, session.begin():
        row = session.get(Invitation, invitation.id)
        assert row is not None
        row.status = status


def _reminded(env: CommittedApp) -> dict[str, DeliveryState]:
    with env.session() as session:
        rows = session.execute(
            select(Notification.key, Notification.state).where(Notification.key.like("remind:%"))
        )
        return {key: state for key, state in rows}


def _reminders_received(gateway: Gateway) -> int:
    return sum("温馨提醒" in sms["text"] for sms in gateway.received)


def _settings(env: CommittedApp, gateway: Gateway, **changes: object) -> Settings:
    return dataclasses.replace(
        env.settings,
        sms_gateway_url=gateway.url,
        sms_gateway_token=GATEWAY_TOKEN,
        **changes,  # type: ignore[arg-type]
    )


def test_reminders_on_day_3_and_6_each_once_and_never_to_those_who_answered(
    env: CommittedApp, sms_gateway: Gateway
) -> None:
    register_guards()
    settings = _settings(env, sms_gateway)
    invitations = _open_wave(env)
    submitted, declined, started, later = invitations[:4]
    _set_status(env, submitted, InvitationStatus.SUBMITTED)
    _set_status(env, declined, InvitationStatus.DECLINED)
    _set_status(env, started, InvitationStatus.STARTED)
    assert run_reminder_sweep(env.database, settings, DAY3 - dt.timedelta(minutes=1)) == 0
    assert run_reminder_sweep(env.database, settings, DAY3) == 4
    # A scheduler restart runs the sweep again, and a second scheduler runs at the same time.
    assert run_reminder_sweep(env.database, settings, DAY3) == 0
    threads = [
        threading.Thread(
            target=run_reminder_sweep, args=(env.database, settings, DAY3 + dt.timedelta(minutes=5))
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run_outbox_sweep(env.database, settings, DAY3)
    run_outbox_sweep(env.database, settings, DAY3 + dt.timedelta(minutes=1))
    assert _reminders_received(sms_gateway) == 4
    day3 = _reminded(env)
    assert set(day3) == {f"remind:{i.id}:3" for i in invitations[2:]}
    _set_status(env, later, InvitationStatus.SUBMITTED)
    assert run_reminder_sweep(env.database, settings, DAY6) == 3
    assert run_reminder_sweep(env.database, settings, DAY6 + DAY) == 0
    run_outbox_sweep(env.database, settings, DAY6)
    assert _reminders_received(sms_gateway) == 7
    assert f"remind:{later.id}:6" not in _reminded(env)
    assert not any(str(i.id) in key for i in (submitted, declined) for key in _reminded(env))


def test_after_an_outage_only_the_latest_due_reminder_goes(
    env: CommittedApp, sms_gateway: Gateway
) -> None:
    invitations = _open_wave(env, per_school=1)
    assert run_reminder_sweep(env.database, _settings(env, sms_gateway), DAY6 + DAY) == len(
        invitations
    )
    assert set(_reminded(env)) == {f"remind:{i.id}:6" for i in invitations}


def test_no_reminder_after_the_wave_closes(env: CommittedApp, sms_gateway: Gateway) -> None:
    _open_wave(env, per_school=1)
    run_wave_sweep(env.database, env.settings, T0 + 14 * DAY)
    assert run_reminder_sweep(env.database, _settings(env, sms_gateway), T0 + 15 * DAY) == 0


def test_a_reminder_held_by_quiet_hours_is_cancelled_if_the_teacher_submits_meanwhile(
    env: CommittedApp, sms_gateway: Gateway
) -> None:
    register_guards()
    settings = _settings(env, sms_gateway, reminder_hour=22)
    invitations = _open_wave(env, per_school=1)
    evening = dt.datetime(2026, 12, 9, 22, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)
    morning = dt.datetime(2026, 12, 10, 8, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)
    assert run_outbox_sweep(env.database, settings, T0) == {"sent": 3}  # the invitations
    assert run_reminder_sweep(env.database, settings, evening) == 3
    assert run_outbox_sweep(env.database, settings, evening) == {}
    _set_status(env, invitations[0], InvitationStatus.SUBMITTED)
    assert run_outbox_sweep(env.database, settings, morning) == {"cancelled": 1, "sent": 2}
    assert _reminders_received(sms_gateway) == 2


def test_reminder_days_count_from_the_local_opening_day() -> None:
    opened = dt.datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)
    closes = opened + 14 * DAY
    assert reminder_time(opened, 3, 10, SHANGHAI) == DAY3
    assert (
        due_reminder_day(opened, closes, (3, 6), 10, SHANGHAI, DAY3 - dt.timedelta(seconds=1))
        is None
    )
    assert due_reminder_day(opened, closes, (3, 6), 10, SHANGHAI, DAY3) == 3
    assert due_reminder_day(opened, closes, (3, 6), 10, SHANGHAI, DAY6) == 6
    assert due_reminder_day(opened, opened + 4 * DAY, (3, 6), 10, SHANGHAI, DAY6) == 3


def _relink(
    env: CommittedApp, settings: Settings, invitation: Invitation, now: dt.datetime
) -> None:
    with env.session() as session, session.begin():
        row = session.get(Invitation, invitation.id)
        assert row is not None and enqueue_relink(session, settings, row, now)


def test_a_link_asked_for_at_night_goes_at_once_while_reminders_wait(
    env: CommittedApp, sms_gateway: Gateway
) -> None:
    register_guards()
    settings = _settings(env, sms_gateway, reminder_hour=22)
    invitations = _open_wave(env, per_school=1)
    evening = dt.datetime(2026, 12, 9, 22, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)
    assert run_outbox_sweep(env.database, settings, T0) == {"sent": 3}  # the invitations
    assert run_reminder_sweep(env.database, settings, evening) == 3
    _relink(env, settings, invitations[0], evening + dt.timedelta(minutes=30))
    at_once = evening + dt.timedelta(minutes=31)
    assert run_outbox_sweep(env.database, settings, at_once) == {"sent": 1}
    assert _reminders_received(sms_gateway) == 0  # the three reminders still wait for 08:00
    assert sum("您的个人链接" in sms["text"] for sms in sms_gateway.received) == 4


def test_a_resent_link_is_cancelled_when_the_wave_closed_before_it_could_go(
    env: CommittedApp, sms_gateway: Gateway
) -> None:
    register_guards()
    settings = _settings(env, sms_gateway)
    invitations = _open_wave(env, per_school=1)
    assert run_outbox_sweep(env.database, settings, T0) == {"sent": 3}
    _relink(env, settings, invitations[0], T0 + DAY)
    closed = T0 + 14 * DAY
    run_wave_sweep(env.database, env.settings, closed)
    assert run_outbox_sweep(env.database, settings, closed) == {"cancelled": 1}
    assert len(sms_gateway.received) == 3
