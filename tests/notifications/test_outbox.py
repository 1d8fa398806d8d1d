"""The outbox: real SMTP, a fake SMS gateway, quiet hours, backoff, and no double sends."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from config.settings import Settings
from devservices.postgres import free_port
from notifications.models import Channel, DeliveryState, Notification
from notifications.outbox import (
    Message,
    QuietHours,
    earliest_send,
    enqueue,
    is_quiet,
    register_guard,
)
from notifications.sweep import retry_delay, run_outbox_sweep, state_after_failure
from tests.support.apps import CommittedApp
from tests.support.gateways import GATEWAY_TOKEN, Gateway, Mailbox

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUIET = QuietHours.parse("21:00", "08:00", "Asia/Shanghai")
NOON = dt.datetime(2026, 12, 7, 12, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)
PHONE, EMAIL, SECRET_TEXT = "13912345678", "canary.teacher@example.edu.cn", "链接 CANARY-LINK-TEXT"


def _configured(
    env: CommittedApp, mailbox: Mailbox | None = None, gateway: Gateway | None = None
) -> Settings:
    return dataclasses.replace(
        env.settings,
        smtp_host="127.0.0.1" if mailbox else "",
        smtp_port=mailbox.port if mailbox else 25,
        sms_gateway_url=gateway.url if gateway else "",
        sms_gateway_token=GATEWAY_TOKEN,
    )


def _put(env: CommittedApp, key: str, channel: Channel, now: dt.datetime = NOON) -> None:
    recipient = PHONE if channel is Channel.SMS else EMAIL
    with env.session() as session, session.begin():
        enqueue(session, Message(key, channel, recipient, SECRET_TEXT, "心安"), now, QUIET)


def _row(env: CommittedApp, key: str) -> Notification:
    with env.session() as session:
        return session.scalars(select(Notification).where(Notification.key == key)).one()


def test_email_is_delivered_to_a_real_smtp_server_once(
    env: CommittedApp, smtp_server: Mailbox
) -> None:
    settings = _configured(env, mailbox=smtp_server)
    _put(env, "test:mail", Channel.EMAIL)
    _put(env, "test:mail", Channel.EMAIL)  # the same key again: still one message
    assert run_outbox_sweep(env.database, settings, NOON) == {"sent": 1}
    assert run_outbox_sweep(env.database, settings, NOON + dt.timedelta(hours=1)) == {}
    [(recipients, message)] = smtp_server.received
    assert recipients == [EMAIL] and message["Subject"] == "心安"
    assert SECRET_TEXT in message.get_content()
    row = _row(env, "test:mail")
    assert row.state is DeliveryState.SENT and row.attempts == 1 and row.sent_at == NOON


def test_sms_goes_to_the_gateway_with_the_bearer_token(
    env: CommittedApp, sms_gateway: Gateway
) -> None:
    _put(env, "test:sms", Channel.SMS)
    assert run_outbox_sweep(env.database, _configured(env, gateway=sms_gateway), NOON) == {
        "sent": 1
    }
    assert sms_gateway.received == [{"to": PHONE, "text": SECRET_TEXT}]


def test_quiet_hours_delay_sms_but_not_email(
    env: CommittedApp, sms_gateway: Gateway, smtp_server: Mailbox
) -> None:
    settings = _configured(env, mailbox=smtp_server, gateway=sms_gateway)
    late = dt.datetime(2026, 12, 7, 22, 30, tzinfo=SHANGHAI).astimezone(dt.UTC)
    morning = dt.datetime(2026, 12, 8, 8, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)
    _put(env, "test:night-sms", Channel.SMS, late)
    _put(env, "test:night-mail", Channel.EMAIL, late)
    assert _row(env, "test:night-sms").next_attempt_at == morning
    assert run_outbox_sweep(env.database, settings, late) == {"sent": 1}
    assert len(smtp_server.received) == 1 and sms_gateway.received == []
    assert run_outbox_sweep(env.database, settings, morning - dt.timedelta(minutes=1)) == {}
    assert run_outbox_sweep(env.database, settings, morning) == {"sent": 1}
    assert len(sms_gateway.received) == 1


def test_an_sms_due_before_the_quiet_hours_waits_when_the_sweep_comes_late(
    env: CommittedApp, sms_gateway: Gateway
) -> None:
    _put(
        env,
        "test:evening",
        Channel.SMS,
        dt.datetime(2026, 12, 7, 20, 59, tzinfo=SHANGHAI).astimezone(dt.UTC),
    )
    late = dt.datetime(2026, 12, 7, 21, 5, tzinfo=SHANGHAI).astimezone(dt.UTC)
    assert run_outbox_sweep(env.database, _configured(env, gateway=sms_gateway), late) == {}
    assert sms_gateway.received == []


def test_a_failing_gateway_retries_with_backoff_and_never_double_sends(
    env: CommittedApp, sms_gateway: Gateway
) -> None:
    settings = _configured(env, gateway=sms_gateway)
    sms_gateway.fail_with = 503
    _put(env, "test:retry", Channel.SMS)
    now = NOON
    for attempt, delay in ((1, 60), (2, 120), (3, 240)):
        assert run_outbox_sweep(env.database, settings, now) == {"pending": 1}
        row = _row(env, "test:retry")
        assert row.attempts == attempt and row.last_error == "sms.http_503"
        assert row.next_attempt_at == now + dt.timedelta(seconds=delay)
        assert run_outbox_sweep(env.database, settings, now + dt.timedelta(seconds=delay - 1)) == {}
        now += dt.timedelta(seconds=delay)
    sms_gateway.fail_with = None
    assert run_outbox_sweep(env.database, settings, now) == {"sent": 1}
    assert run_outbox_sweep(env.database, settings, now + dt.timedelta(days=1)) == {}
    assert len(sms_gateway.received) == 1


def test_a_dead_smtp_server_loses_nothing(env: CommittedApp) -> None:
    settings = dataclasses.replace(env.settings, smtp_host="127.0.0.1", smtp_port=free_port())
    _put(env, "test:down", Channel.EMAIL)
    assert run_outbox_sweep(env.database, settings, NOON) == {"pending": 1}
    row = _row(env, "test:down")
    assert row.last_error == "smtp.ConnectionRefusedError" and row.state is DeliveryState.PENDING


def test_the_last_attempt_marks_the_message_failed(env: CommittedApp, sms_gateway: Gateway) -> None:
    settings = dataclasses.replace(_configured(env, gateway=sms_gateway), outbox_max_attempts=2)
    sms_gateway.fail_with = 500
    _put(env, "test:give-up", Channel.SMS)
    run_outbox_sweep(env.database, settings, NOON)
    assert run_outbox_sweep(env.database, settings, NOON + dt.timedelta(hours=1)) == {"failed": 1}
    assert run_outbox_sweep(env.database, settings, NOON + dt.timedelta(days=2)) == {}
    assert _row(env, "test:give-up").state is DeliveryState.FAILED


def test_two_sweeps_at_once_send_each_message_once(env: CommittedApp, sms_gateway: Gateway) -> None:
    settings = _configured(env, gateway=sms_gateway)
    for n in range(30):
        _put(env, f"test:race:{n}", Channel.SMS)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            run_outbox_sweep(env.database, settings, NOON)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(sms_gateway.received) == 30


def test_a_guard_cancels_a_message_no_longer_wanted(
    env: CommittedApp, sms_gateway: Gateway
) -> None:
    register_guard("unwanted", lambda session, key, now: False)
    _put(env, "unwanted:1", Channel.SMS)
    assert run_outbox_sweep(env.database, _configured(env, gateway=sms_gateway), NOON) == {
        "cancelled": 1
    }
    assert sms_gateway.received == [] and _row(env, "unwanted:1").state is DeliveryState.CANCELLED


def test_unconfigured_channels_keep_their_messages_waiting(env: CommittedApp) -> None:
    _put(env, "test:wait", Channel.SMS)
    assert run_outbox_sweep(env.database, env.settings, NOON) == {}
    assert _row(env, "test:wait").attempts == 0


def test_no_recipient_or_text_reaches_the_log_or_the_row_in_clear(
    env: CommittedApp, sms_gateway: Gateway
) -> None:
    sms_gateway.fail_with = 500
    _put(env, "test:canary", Channel.SMS)
    run_outbox_sweep(env.database, _configured(env, gateway=sms_gateway), NOON)
    log = env.settings.log_file.read_text(encoding="utf-8") if env.settings.log_file else ""
    assert "outbox.retry" in log
    for canary in (PHONE, SECRET_TEXT, "CANARY"):
        assert canary not in log
    with env.database.engine.connect() as connection:
        raw = connection.exec_driver_sql("SELECT recipient, body FROM notifications").all()
    assert all(PHONE.encode() not in bytes(r[0]) and b"CANARY" not in bytes(r[1]) for r in raw)


@pytest.mark.parametrize(
    ("local", "quiet"),
    [
        ((20, 59), False),
        ((21, 0), True),
        ((23, 30), True),
        ((0, 0), True),
        ((7, 59), True),
        ((8, 0), False),
    ],
)
def test_quiet_hours_wrap_past_midnight(local: tuple[int, int], quiet: bool) -> None:
    when = dt.datetime(2026, 12, 7, *local, tzinfo=SHANGHAI)
    assert is_quiet(QUIET, when) is quiet
    moved = earliest_send(Channel.SMS, when, QUIET)
    assert (
        (moved != when) is quiet and moved.astimezone(SHANGHAI).time() >= dt.time(8)
        if quiet
        else moved == when
    )
    assert earliest_send(Channel.EMAIL, when, QUIET) == when


def test_backoff_doubles_and_is_capped() -> None:
    assert [retry_delay(n, 60).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_delay(40, 60) == dt.timedelta(hours=6)
    assert state_after_failure(7, 8) is DeliveryState.PENDING
    assert state_after_failure(8, 8) is DeliveryState.FAILED
