"""Who hears about a case's deadline, and what they are told: e-mail through the outbox and an
in-app inbox item, both created once by the step's key.

Staff e-mail addresses are the linked roster record's sealed ``email``: every psychologist and
supervisor must be linked to their own roster record anyway (accounts.roles.ROSTER_LINKED_ROLES),
so the address is kept, sealed and imported, in one place. A message holds a level, a deadline in
words and a link to the case page — never the teacher's name, pseudonym, school, scores or answers.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role, ScopeKind
from alerts.rules import Deadline, Step, StepKind
from db.bulk import insert_new
from notifications.inbox_models import InboxItem
from notifications.models import Channel, DeliveryState, Notification
from org.models import Teacher
from privacy.vault import seal_row

LEVEL_WORDS = {"crisis": "危机 Crisis", "high": "高风险 High", "moderate": "主动求助 Asked to talk"}
# More steps than this for one person in one batch become one digest e-mail (see mail_plan).
DIGEST_AFTER = 5
# More steps than this for one person in one batch become one digest inbox item (and e-mail) that
# counts them and links the person's queue or district view: a supervisor facing a district's
# backlog needs the list there, not hundreds of inbox rows; each step stays in ``case_steps`` and
# on its case page.
INBOX_DIGEST_AFTER = 20
DIGEST_LINKS = 50
DIGEST_PREFIX = "casedigest"
DEADLINE_WORDS = {
    Deadline.ACKNOWLEDGE: "确认接案 acknowledgement",
    Deadline.CONTACT: "首次联系 first contact",
}


@dataclass(frozen=True)
class Recipient:
    """A member of staff to notify; ``email`` is None when the roster has none."""

    account_id: uuid.UUID
    email: str | None


@dataclass(frozen=True)
class Notice:
    """One step told to one person: an inbox item, and an e-mail if they have an address.

    A digest (kind ``case.digest``) tells one person about many steps and has no ``case_id``.
    """

    key: str
    recipient: Recipient
    case_id: uuid.UUID | None
    kind: str
    title: str
    subject: str
    body: str


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
    """The active accounts among ``ids`` (assignees), with their addresses."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(StaffAccount.id, StaffAccount.teacher_id).where(
            StaffAccount.id.in_(wanted), StaffAccount.is_active.is_(True)
        )
    ).all()
    return {r.account_id: r for r in _recipients(session, [tuple(row) for row in rows])}


def in_words(moment: dt.datetime, zone: ZoneInfo) -> str:
    """A deadline as people read it: ``2026-12-07 14:00 (Asia/Shanghai)``."""
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"


def describe(
    step: Step, level: str, due: dt.datetime, case_url: str, zone: ZoneInfo
) -> tuple[str, str, str]:
    """(inbox title, e-mail subject, e-mail body) for one step: level, deadline, link; no person."""
    level_words = LEVEL_WORDS.get(level, level)
    deadline_words = DEADLINE_WORDS[step.deadline]
    when = in_words(due, zone)
    if step.kind is StepKind.REMINDER:
        title = f"{level_words}个案 · {deadline_words} 将于 {when} 到期 / is due at {when}"
        lead = "提醒：以下个案的时限即将到期。Reminder: a case deadline is near."
    else:
        repeat = f"（第 {step.seq + 1} 次 / notice {step.seq + 1}）"
        title = (
            f"{level_words}个案 · {deadline_words} 已于 {when} 逾期 / overdue since {when}{repeat}"
        )
        lead = (
            "升级：以下个案已逾期，尚无人处理。Escalation: a case is overdue and nobody has "
            "acted on it yet."
        )
    subject = f"心安 Xinan · {title}"
    body = (
        f"{lead}\n\n级别 Level: {level_words}\n时限 Deadline: {deadline_words}, {when}\n\n"
        f"打开个案 Open the case (login required):\n{case_url}\n\n"
        "此邮件不含教师的任何个人信息。This e-mail holds nothing about the teacher.\n"
    )
    return title, subject, body


def deliver_notices(session: Session, notices: Sequence[Notice], now: dt.datetime) -> None:
    """Insert each notice's inbox item, and its e-mail or a digest, once per key."""
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
    mails = _mail_rows(mail_plan(notices), now)
    insert_new(session, cast(Table, Notification.__table__), mails, ["key"], ["id"])


def mail_plan(notices: Sequence[Notice]) -> list[Notice]:
    """One e-mail per notice for a person with a few; one digest for a person with many.

    A supervisor facing a district's backlog after an outage would otherwise get hundreds of
    e-mails at once; the digest counts them and links the inbox, which still lists each case. Its
    key is derived from the first step's key, so it too is created once, by the run that did it.
    """
    by_person: dict[uuid.UUID, list[Notice]] = {}
    for notice in notices:
        if notice.recipient.email:
            by_person.setdefault(notice.recipient.account_id, []).append(notice)
    planned: list[Notice] = []
    for mine in by_person.values():
        planned.extend(mine if len(mine) <= DIGEST_AFTER else [_digest(mine)])
    return planned


def _digest(notices: Sequence[Notice]) -> Notice:
    escalations = sum(1 for n in notices if n.kind == "case.escalation")
    links = [_link(n) for n in notices[:DIGEST_LINKS]]
    where = "请在站内消息中逐一查看。Each case is listed in your inbox (login required):"
    return digest(notices[0].key, notices[0].recipient, escalations, len(notices), links, where)


def digest(
    first_key: str,
    recipient: Recipient,
    escalations: int,
    count: int,
    links: Sequence[str],
    where: str,
) -> Notice:
    """One notice about ``count`` steps for one person: the counts, ``where`` and some links.

    Its key is derived from the first step's key, so it too is created once, by the run that did
    the step. It names no case, teacher, score or answer.
    """
    title = (
        f"{count} 个个案需要处理 / cases need attention: "
        f"{escalations} 逾期升级 overdue, {count - escalations} 即将到期 due soon"
    )
    more = count - len(links)
    tail = f"\n… 另有 {more} 个 / and {more} more\n" if more > 0 else "\n"
    body = (
        f"{title}\n\n{where}\n"
        + "\n".join(links)
        + f"{tail}\n"
        + "此邮件不含教师的任何个人信息。This e-mail holds nothing about the teacher.\n"
    )
    key = f"{DIGEST_PREFIX}:{first_key}"
    return Notice(key, recipient, None, "case.digest", title, f"心安 Xinan · {title}", body)


def _link(notice: Notice) -> str:
    # The individual body ends with the case link on its own line after "Open the case".
    lines = [line for line in notice.body.splitlines() if line.startswith("http")]
    return f"- {lines[0] if lines else notice.title}"


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
