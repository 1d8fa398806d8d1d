"""The outbox side of ``accounts.courier``: notices to an account's owner about resets, set-up
links and contact changes, queued once by key in the caller's transaction.

They answer an administrator's action the owner is waiting on (a lost phone, a new job), so the
SMS quiet hours do not hold them back: a link lives only 24 hours. A link still waiting in the
outbox when its reset was cancelled, used or expired is not sent.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from flask import Flask
from sqlalchemy.orm import Session

from accounts.courier import Notice, install_courier
from accounts.enrolment import link_live
from accounts.models import CredentialReset
from accounts.reset_notices import CONTACT_KEY_PREFIX, KEY_PREFIX
from config.current import settings_of
from notifications.models import Channel
from notifications.outbox import Message, QuietHours, enqueue, register_asked_for, register_guard


@dataclass(frozen=True)
class OutboxCourier:
    """Puts account notices into the outbox (``accounts.courier.Courier``)."""

    quiet: QuietHours

    def send(self, session: Session, notice: Notice, now: dt.datetime) -> bool:
        """Queue ``notice`` unless its key is there already; True when it was added."""
        channel = Channel(notice.contact.channel)
        subject = notice.subject if channel is Channel.EMAIL else None
        message = Message(notice.key, channel, notice.contact.address, notice.body, subject)
        return enqueue(session, message, now, self.quiet)


def link_still_wanted(session: Session, key: str, now: dt.datetime) -> bool:
    """Guard: a set-up link goes out only while its reset can still use it."""
    parts = key.split(":")
    if parts[-1] != "link":
        return True
    try:
        reset = session.get(CredentialReset, uuid.UUID(parts[1]))
    except (IndexError, ValueError):
        return False
    return reset is not None and link_live(reset, now)


def install(app: Flask) -> None:
    """Make the courier available to the accounts pages and register the outbox guard."""
    settings = settings_of(app)
    quiet = QuietHours.parse(settings.sms_quiet_start, settings.sms_quiet_end, settings.timezone)
    install_courier(app, OutboxCourier(quiet))
    register_guard(KEY_PREFIX, link_still_wanted)
    for prefix in (KEY_PREFIX, CONTACT_KEY_PREFIX):
        register_asked_for(prefix)
