"""Telling members of staff something: an inbox item for each, and an e-mail to those with an
address, both created once by the notice's key (case deadlines, security alerts).

Staff e-mail addresses are the linked roster record's sealed ``email``: every psychologist and
supervisor must be linked to their own roster record anyway (accounts.roles.ROSTER_LINKED_ROLES),
so the address is kept, sealed and imported, in one place.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role, ScopeKind
from db.bulk import insert_new
from notifications.inbox_models import InboxItem
from notifications.models import Channel, DeliveryState, Notification
from org.models import Teacher
from privacy.vault import seal_row


@dataclass(frozen=True)
class Recipient:
    """A member of staff to notify; ``email`` is None when the roster has none."""

    account_id: uuid.UUID
    email: str | None


@dataclass(frozen=True)
class Notice:
    """One thing told to one person: an inbox item, and an e-mail if they have an address.

    ``case_id`` links the inbox item to the case it is about; a digest of many cases, or a notice
    about none, has no ``case_id``.
    """

    key: str
    recipient: Recipient
    case_id: uuid.UUID | None
    kind: str
    title: str
    subject: str
    body: str


@dataclass(frozen=True)
class Digest:
    """More notices than ``after`` for one person in one batch become one e-mail, ``combine``d."""

    after: int
    combine: Callable[[Sequence[Notice]], Notice]


def _recipients(session: Session, accounts: Iterable[tuple[Any, ...]]) -> list[Recipient]:
    rows = list(accounts)
    teacher_ids = [row[1] for row in rows if row[1] is not None]
    emails: dict[uuid.UUID, str | None] = {}
    if teacher_ids:
        for teacher in session.scalars(select(Teacher).where(Teacher.id.in_(teacher_ids))):
            emails[teacher.id] = teacher.email or None
    return [Recipient(row[0], emails.get(row[1]) if row[1] else None) for row in rows]


def supervisors_by_district(
    session: Session, district_ids: Iterable[int]
) -> dict[int, list[Recipient]]:
    """Active accounts with an active district supervisor grant, for each district."""
    wanted = sorted(set(district_ids))
    found: dict[int, list[Recipient]] = {d: [] for d in wanted}
    if not wanted:
        return found
    rows = session.execute(
        select(RoleGrant.district_id, StaffAccount.id, StaffAccount.teacher_id)
        .join(StaffAccount, StaffAccount.id == RoleGrant.account_id)
        .where(
            RoleGrant.role == Role.SUPERVISOR,
            RoleGrant.scope_kind == ScopeKind.DISTRICT,
            RoleGrant.status == GrantStatus.ACTIVE,
            RoleGrant.district_id.in_(wanted),
            StaffAccount.is_active.is_(True),
        )
        .order_by(StaffAccount.id)
    ).all()
    people = {r.account_id: r for r in _recipients(session, {(r[1], r[2]) for r in rows})}
    for district_id, account_id, _teacher in rows:
        if people[account_id] not in found[district_id]:
            found[district_id].append(people[account_id])
    return found


def accounts_by_id(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Recipient]:
    """The active accounts among ``ids``, with their addresses."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(StaffAccount.id, StaffAccount.teacher_id).where(
            StaffAccount.id.in_(wanted), StaffAccount.is_active.is_(True)
        )
    ).all()
    return {r.account_id: r for r in _recipients(session, [tuple(row) for row in rows])}


def deliver_notices(
    session: Session, notices: Sequence[Notice], now: dt.datetime, digest: Digest | None = None
) -> None:
    """Insert each notice's inbox item, and its e-mail or a ``digest``, once per key."""
    if not notices:
        return
    items = [
        {
            "id": uuid.uuid4(),
            "account_id": n.recipient.account_id,
            "key": n.key,
            "case_id": n.case_id,
            "kind": n.kind,
            "title": n.title[:300],
            "created_at": now,
            "read_at": None,
        }
        for n in notices
    ]
    inbox = cast(Table, InboxItem.__table__)
    insert_new(session, inbox, items, ["key"], ["id"])
    mails = _mail_rows(mail_plan(notices, digest), now)
    insert_new(session, cast(Table, Notification.__table__), mails, ["key"], ["id"])


def mail_plan(notices: Sequence[Notice], digest: Digest | None = None) -> list[Notice]:
    """One e-mail per notice for a person with a few; one ``digest`` for a person with many.

    A supervisor facing a district's backlog after an outage would otherwise get hundreds of
    e-mails at once; the digest counts them and links the inbox, which still lists each one.
    """
    by_person: dict[uuid.UUID, list[Notice]] = {}
    for notice in notices:
        if notice.recipient.email:
            by_person.setdefault(notice.recipient.account_id, []).append(notice)
    planned: list[Notice] = []
    for mine in by_person.values():
        if digest is not None and len(mine) > digest.after:
            planned.append(digest.combine(mine))
        else:
            planned.extend(mine)
    return planned


def _mail_rows(notices: Sequence[Notice], now: dt.datetime) -> list[dict[str, Any]]:
    table = Notification.__tablename__
    ids = [uuid.uuid4() for _ in notices]
    rows = []
    for row_id, notice in zip(ids, notices, strict=True):
        cells: list[tuple[str, object]] = [
            ("recipient", notice.recipient.email),
            ("subject", notice.subject),
            ("body", notice.body),
        ]
        recipient, subject, body = seal_row(table, row_id, cells)
        # E-mail has no quiet hours (only SMS waits for the morning), so it is due at once.
        rows.append(
            {
                "id": row_id,
                "key": notice.key,
                "channel": Channel.EMAIL,
                "state": DeliveryState.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "last_error": None,
                "sent_at": None,
                "recipient": recipient,
                "subject": subject,
                "body": body,
            }
        )
    return rows
