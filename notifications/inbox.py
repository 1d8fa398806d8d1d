"""The in-app inbox as a service: each member of staff reads and marks only their own items."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from notifications.inbox_models import InboxItem

PAGE = 50


class NotYours(LookupError):
    """No such item among this account's own (someone else's looks exactly like a missing one)."""


def list_items(session: Session, account_id: uuid.UUID, limit: int = PAGE) -> Sequence[InboxItem]:
    """The account's newest items, unread first."""
    query = (
        select(InboxItem)
        .where(InboxItem.account_id == account_id)
        .order_by(InboxItem.read_at.is_not(None), InboxItem.created_at.desc(), InboxItem.id)
        .limit(limit)
    )
    return session.scalars(query).all()


def unread_count(session: Session, account_id: uuid.UUID) -> int:
    """How many of the account's items are unread."""
    query = select(func.count()).where(
        InboxItem.account_id == account_id, InboxItem.read_at.is_(None)
    )
    return int(session.scalar(query) or 0)


def mark_read(
    session: Session, account_id: uuid.UUID, item_id: uuid.UUID, now: dt.datetime
) -> None:
    """Mark one of the account's own items read; NotYours for anyone else's."""
    item = session.get(InboxItem, item_id)
    if item is None or item.account_id != account_id:
        raise NotYours(str(item_id))
    if item.read_at is None:
        item.read_at = now
    session.flush()


def mark_all_read(session: Session, account_id: uuid.UUID, now: dt.datetime) -> int:
    """Mark every unread item of the account read; returns how many."""
    result = session.execute(
        update(InboxItem)
        .where(InboxItem.account_id == account_id, InboxItem.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
