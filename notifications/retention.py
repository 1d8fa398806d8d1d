"""Retention of the notification outbox: every message goes after ``retention_notifications_days``.

A message holds a sealed contact and, for a teacher, their personal link; the outbox keeps it
only to send it once and to see what happened. By the end of the period it has been sent,
failed or been cancelled — or it still waits on a channel nobody configured, for a wave long
closed — so whatever its state, it goes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.sql.elements import ColumnElement

from notifications.models import Notification
from ops.retention import PurgeContext, Rule, matching_rows


def _old_notifications(context: PurgeContext) -> ColumnElement[bool]:
    days = context.settings.retention_notifications_days
    return Notification.created_at < context.now - dt.timedelta(days=days)


purge_old_notifications = matching_rows(Notification, _old_notifications)


def retention_rules() -> list[Rule]:
    """The outbox's one rule."""
    return [Rule("notifications", purge_old_notifications)]
