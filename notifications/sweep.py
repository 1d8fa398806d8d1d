"""The outbox sweep: claim due messages, send each once, retry failures with exponential backoff.

Claiming moves a row's ``next_attempt_at`` a lease into the future and counts the attempt, in one
short transaction (an ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)`` on
PostgreSQL; SQLite's single writer serialises the same statement). A second sweep, or a scheduler
restarted mid-run, finds nothing due and sends nothing twice. Every outcome is written with the
claimed attempt number as a fence, so a late writer whose lease ran out changes nothing. Sending
happens outside any transaction; only a crash between a server accepting a message and the write
of "sent" can repeat it, once the lease (far longer than a send's timeout) has passed.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import false, func, or_, select, update
from sqlalchemy.orm import Session

from config.current import settings_of
from config.settings import Settings
from db import Database
from db.current import database_of
from notifications.channels import ChannelError, Outgoing, Sender, configured_senders
from notifications.models import Channel, DeliveryState, Notification
from notifications.outbox import QuietHours, asked_for_prefixes, earliest_send, still_wanted
from ops.scheduler import scheduler_of

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=15)
MAX_BACKOFF = dt.timedelta(hours=6)
BATCH = 50


@dataclass(frozen=True)
class Claim:
    """A row this sweep owns until its lease ends: its id, channel and attempt number."""

    id: uuid.UUID
    channel: Channel
    attempt: int


@dataclass(frozen=True)
class ChannelSummary:
    """One channel's messages by state, and whether this instance can send on it at all."""

    channel: Channel
    configured: bool
    counts: dict[DeliveryState, int]


def delivery_summary(
    session: Session, settings: Settings, prefixes: Sequence[str]
) -> list[ChannelSummary]:
    """Every channel's messages whose key starts with one of ``prefixes``, by state: an
    unconfigured channel keeps its messages waiting (to send them once it is set up), which an
    operator must be able to see.

    Only the kinds of message named are counted: the staff's notices about cases (reminders,
    escalations) must never be, or a pending e-mail that appears 90 minutes after a crisis case
    opened dates that case for whoever reads the count.
    """
    counts: dict[Channel, dict[DeliveryState, int]] = {c: {} for c in Channel}
    kinds = [Notification.key.like(f"{prefix}:%") for prefix in prefixes]
    query = (
        select(Notification.channel, Notification.state, func.count())
        .where(or_(false(), *kinds))
        .group_by(Notification.channel, Notification.state)
    )
    for channel, state, n in session.execute(query):
        counts[Channel(channel)][DeliveryState(state)] = int(n)
    configured = configured_senders(settings)
    return [ChannelSummary(c, c in configured, counts[c]) for c in Channel]


def retry_delay(attempt: int, base_seconds: int) -> dt.timedelta:
    """Exponential backoff after the ``attempt``-th failure: base, 2×base, 4×base … capped."""
    seconds = base_seconds * 2 ** min(max(attempt - 1, 0), 30)
    return min(dt.timedelta(seconds=seconds), MAX_BACKOFF)


def state_after_failure(attempt: int, max_attempts: int) -> DeliveryState:
    """Pending while attempts remain; failed after the last one."""
    return DeliveryState.FAILED if attempt >= max_attempts else DeliveryState.PENDING


def claim_due(
    session: Session,
    now: dt.datetime,
    channels: list[Channel],
    limit: int = BATCH,
    quiet_channels: list[Channel] | None = None,
) -> list[Claim]:
    """Take up to ``limit`` due rows on ``channels`` — and on ``quiet_channels`` only the
    messages their recipients asked for — for this sweep (the caller commits)."""
    asked_for = [Notification.key.like(f"{p}:%") for p in sorted(asked_for_prefixes())]
    if not quiet_channels or not asked_for:
        quiet_channels, asked_for = [], []
    if not channels and not quiet_channels:
        return []
    quiet_but_asked = Notification.channel.in_(quiet_channels) & or_(false(), *asked_for)
    due = (
        select(Notification.id)
        .where(
            Notification.state == DeliveryState.PENDING,
            Notification.next_attempt_at <= now,
            or_(Notification.channel.in_(channels), quiet_but_asked),
        )
        .order_by(Notification.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(
        update(Notification)
        .where(Notification.id.in_(due.scalar_subquery()))
        .values(attempts=Notification.attempts + 1, next_attempt_at=now + LEASE)
        .returning(Notification.id, Notification.channel, Notification.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    return [Claim(row[0], Channel(row[1]), int(row[2])) for row in rows]


def _finish(session: Session, claim: Claim, **values: object) -> bool:
    result = session.execute(
        update(Notification)
        .where(
            Notification.id == claim.id,
            Notification.attempts == claim.attempt,
            Notification.state == DeliveryState.PENDING,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _open(database: Database, claim: Claim, now: dt.datetime) -> Outgoing | None:
    """The message's opened fields, or None when its guard says it is no longer wanted."""
    with Session(database.engine) as session:
        row = session.get(Notification, claim.id)
        if row is None or not still_wanted(session, row.key, now):
            return None
        return Outgoing(row.recipient or "", row.subject, row.body or "")


def deliver(
    database: Database, settings: Settings, claim: Claim, sender: Sender, now: dt.datetime
) -> DeliveryState:
    """Send one claimed message and record the outcome; returns the state written."""
    outgoing = _open(database, claim, now)
    if outgoing is None:
        with Session(database.engine) as session, session.begin():
            _finish(session, claim, state=DeliveryState.CANCELLED, last_error="not_wanted")
        return DeliveryState.CANCELLED
    try:
        sender.send(outgoing)
    except ChannelError as error:
        return _record_failure(database, settings, claim, error.kind, now)
    with Session(database.engine) as session, session.begin():
        _finish(session, claim, state=DeliveryState.SENT, sent_at=now, last_error=None)
    log.info(
        "notification sent",
        extra={"event": "outbox.sent", "notification": str(claim.id), "channel": claim.channel},
    )
    return DeliveryState.SENT


def _record_failure(
    database: Database, settings: Settings, claim: Claim, kind: str, now: dt.datetime
) -> DeliveryState:
    state = state_after_failure(claim.attempt, settings.outbox_max_attempts)
    quiet = QuietHours.parse(settings.sms_quiet_start, settings.sms_quiet_end, settings.timezone)
    retry = earliest_send(
        claim.channel, now + retry_delay(claim.attempt, settings.outbox_backoff_seconds), quiet
    )
    with Session(database.engine) as session, session.begin():
        _finish(session, claim, state=state, last_error=kind, next_attempt_at=retry)
    log.warning(
        "notification not sent",
        extra={
            "event": "outbox.failed" if state is DeliveryState.FAILED else "outbox.retry",
            "notification": str(claim.id),
            "channel": claim.channel,
            "error": kind,
            "attempt": claim.attempt,
        },
    )
    return state


def run_outbox_sweep(
    database: Database,
    settings: Settings,
    now: dt.datetime,
    senders: dict[Channel, Sender] | None = None,
) -> dict[str, int]:
    """Send every due message once; returns how many ended in each state this run."""
    senders = configured_senders(settings) if senders is None else senders
    quiet = QuietHours.parse(settings.sms_quiet_start, settings.sms_quiet_end, settings.timezone)
    # A message due just before the quiet hours began waits for their end as well.
    channels = sorted(c for c in senders if earliest_send(c, now, quiet) == now)
    quiet_channels = sorted(c for c in senders if c not in channels)
    counts: dict[str, int] = {}
    while True:
        with Session(database.engine) as session, session.begin():
            claims = claim_due(session, now, channels, quiet_channels=quiet_channels)
        for claim in claims:
            state = deliver(database, settings, claim, senders[claim.channel], now)
            counts[state.value] = counts.get(state.value, 0) + 1
        if len(claims) < BATCH:
            return counts


def install(app: Flask) -> None:
    """Schedule the outbox sweep on the app's one scheduler."""
    settings, database, scheduler = settings_of(app), database_of(app), scheduler_of(app)
    seconds = settings.outbox_sweep_seconds
    # The job's name is what operators' log alerts match ("alerts.outbox.failed"): kept as it was.
    scheduler.add_job("alerts.outbox", run_outbox_sweep, seconds, database, settings)
