"""Putting a message into the outbox: once per key, with the SMS quiet hours already applied.

``enqueue`` is an ``INSERT ... ON CONFLICT (key) DO NOTHING`` with the sealed cells computed up
front, so the same reminder or invitation enqueued twice — by a sweep that ran twice, or by two
schedulers — is one row. Features register a *guard* for their key prefix: the outbox sweep asks it,
just before sending, whether the message is still wanted (a reminder to a teacher who has since
submitted is cancelled, not sent).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from notifications.models import Channel, DeliveryState, Notification
from privacy.vault import seal_cell

TABLE = Notification.__tablename__
# (session, key, now) -> whether the message should still go out.
Guard = Callable[[Session, str, dt.datetime], bool]
_guards: dict[str, Guard] = {}
# Key prefixes of messages the recipient has just asked for (a lost link): quiet hours keep
# unasked-for SMS from waking anybody, but a teacher waiting for their link gets it at once.
_asked_for: set[str] = set()


@dataclass(frozen=True)
class QuietHours:
    """Local times between which no SMS goes out (the window may wrap past midnight)."""

    start: dt.time
    end: dt.time
    zone: ZoneInfo

    @classmethod
    def parse(cls, start: str, end: str, timezone: str) -> QuietHours:
        """From ``"21:00"``, ``"08:00"`` and a zone name."""
        return cls(dt.time.fromisoformat(start), dt.time.fromisoformat(end), ZoneInfo(timezone))


def is_quiet(quiet: QuietHours, when: dt.datetime) -> bool:
    """Whether ``when`` falls inside the quiet hours."""
    local = when.astimezone(quiet.zone).time()
    if quiet.start == quiet.end:
        return False
    if quiet.start < quiet.end:
        return quiet.start <= local < quiet.end
    return local >= quiet.start or local < quiet.end


def earliest_send(channel: Channel, when: dt.datetime, quiet: QuietHours) -> dt.datetime:
    """The first moment from ``when`` on that ``channel`` may send: delayed, never dropped."""
    if channel is not Channel.SMS or not is_quiet(quiet, when):
        return when
    local = when.astimezone(quiet.zone)
    end = dt.datetime.combine(local.date(), quiet.end, tzinfo=quiet.zone)
    if end <= local:
        end = dt.datetime.combine(local.date() + dt.timedelta(days=1), quiet.end, tzinfo=quiet.zone)
    return end.astimezone(dt.UTC)


@dataclass(frozen=True)
class Message:
    """What to send, to whom, over which channel; ``key`` makes it happen once."""

    key: str
    channel: Channel
    recipient: str
    body: str
    subject: str | None = None


def enqueue(session: Session, message: Message, now: dt.datetime, quiet: QuietHours) -> bool:
    """Add ``message`` to the outbox unless its key is there already; True when it was added."""
    row_id = uuid.uuid4()
    values = {
        "id": row_id,
        "key": message.key,
        "channel": message.channel,
        "state": DeliveryState.PENDING,
        "attempts": 0,
        "next_attempt_at": now
        if is_asked_for(message.key)
        else earliest_send(message.channel, now, quiet),
        "created_at": now,
        "recipient": seal_cell(TABLE, "recipient", row_id, message.recipient),
        "subject": seal_cell(TABLE, "subject", row_id, message.subject),
        "body": seal_cell(TABLE, "body", row_id, message.body),
    }
    table = cast(Table, Notification.__table__)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(values).on_conflict_do_nothing(index_elements=["key"])
    result = session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def register_asked_for(prefix: str) -> None:
    """Messages under ``prefix + ':'`` answer the recipient's own request: no quiet hours."""
    _asked_for.add(prefix)


def asked_for_prefixes() -> frozenset[str]:
    """The prefixes registered with ``register_asked_for``."""
    return frozenset(_asked_for)


def is_asked_for(key: str) -> bool:
    """Whether the message with this key was asked for by its recipient."""
    return key.split(":", 1)[0] in _asked_for


def register_guard(prefix: str, guard: Guard) -> None:
    """Ask ``guard`` before sending any message whose key starts with ``prefix + ':'``."""
    _guards[prefix] = guard


def still_wanted(session: Session, key: str, now: dt.datetime) -> bool:
    """Whether the message with this key should still be sent (True when no guard objects)."""
    guard = _guards.get(key.split(":", 1)[0])
    return guard is None or guard(session, key, now)
