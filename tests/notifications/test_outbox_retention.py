"""The outbox keeps a message (a sealed contact and, for a teacher, their link) only for
``retention_notifications_days``, whatever became of it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from config.settings import Settings, SettingsError
from notifications.models import Channel, DeliveryState, Notification
from notifications.outbox import Message, QuietHours, enqueue
from ops.retention import PurgeContext, retention_registry

NOW = dt.datetime(2026, 12, 31, 12, 0, tzinfo=dt.UTC)
NO_QUIET = QuietHours.parse("00:00", "00:00", "Asia/Shanghai")


def _message(session: Session, key: str, age: dt.timedelta, state: DeliveryState) -> None:
    message = Message(key, Channel.EMAIL, "teacher@example.invalid", "您的个人链接：…", "心安")
    assert enqueue(session, message, NOW - age, NO_QUIET)
    session.execute(update(Notification).where(Notification.key == key).values(state=state))


def _keys(session: Session) -> set[str]:
    return set(session.scalars(select(Notification.key)))


def test_messages_older_than_the_period_go_whatever_their_state(
    app: Flask, db_session: Session, settings: Settings
) -> None:
    rules = retention_registry(app)
    assert "notifications" in rules.names()
    day = dt.timedelta(days=1)
    _message(db_session, "t:sent-old", 31 * day, DeliveryState.SENT)
    _message(db_session, "t:waiting-old", 31 * day, DeliveryState.PENDING)
    _message(db_session, "t:cancelled-old", 40 * day, DeliveryState.CANCELLED)
    _message(db_session, "t:sent-recent", 29 * day, DeliveryState.SENT)
    _message(db_session, "t:waiting-recent", day, DeliveryState.PENDING)
    context = PurgeContext(now=NOW, settings=settings)
    dry = PurgeContext(now=NOW, settings=settings, dry_run=True)
    assert rules.purge(db_session, "notifications", dry) == 3
    assert len(_keys(db_session)) == 5
    assert rules.purge(db_session, "notifications", context) == 3
    assert _keys(db_session) == {"t:sent-recent", "t:waiting-recent"}
    assert rules.purge(db_session, "notifications", context) == 0
    shorter = dataclasses.replace(settings, retention_notifications_days=2)
    assert rules.purge(db_session, "notifications", PurgeContext(NOW, shorter)) == 1
    assert _keys(db_session) == {"t:waiting-recent"}


def test_the_period_is_at_least_a_day(settings: Settings) -> None:
    with pytest.raises(SettingsError):
        dataclasses.replace(settings, retention_notifications_days=0)
