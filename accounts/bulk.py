"""Bulk creation of staff accounts from a CSV: username, display_name, staff_no, role, scope,
and optionally email (the account's own contact, needed when the roster record has none).

``scope`` is ``city`` (全市), a district name, or ``district/school``. One account may take
several rows, one per grant. If any row is wrong nothing is created, and every problem is listed
by row number, without echoing cell contents. Each new account's owner receives a one-time
set-up link at their contact; nobody else sees a credential.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.authentication import find_account, normalise_username
from accounts.courier import owner_contact
from accounts.models import StaffAccount
from accounts.passwords import Passwords
from accounts.resets import NO_CONTACT, Delivery, begin_first_enrolment
from accounts.roles import Role, ScopeKind
from accounts.service import AccountError, create_account, request_grant
from org.models import District, School

COLUMNS = ("username", "display_name", "staff_no", "role", "scope")
MAX_ROWS = 5000


class BulkError(ValueError):
    """The file was refused; ``problems`` lists each one as 'row N: reason'."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def import_accounts(
    session: Session,
    passwords: Passwords,
    delivery: Delivery,
    data: bytes,
    actor_id: uuid.UUID,
    now: dt.datetime,
) -> list[StaffAccount]:
    """Create the file's accounts and grants and send each owner their set-up link; raises
    BulkError, having flushed nothing useful (the caller's transaction rolls back)."""
    rows = _read(data)
    created: dict[str, StaffAccount] = {}
    problems = []
    for number, row in rows:
        try:
            _apply(session, passwords, delivery, row, created, actor_id, now)
        except (AccountError, ValueError) as error:
            problems.append(f"第 {number} 行 row {number}: {error}")
    if problems:
        raise BulkError(problems)
    for account in created.values():
        begin_first_enrolment(session, delivery, account, actor_id, now)
    return list(created.values())


def _read(data: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise BulkError(["文件不是 UTF-8 或 GBK 编码 / not UTF-8 or GBK"]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise BulkError([f"缺少列 missing columns: {', '.join(missing)}"])
    rows = [(n, {k: (v or "").strip() for k, v in r.items() if k}) for n, r in enumerate(reader, 2)]
    if not rows or len(rows) > MAX_ROWS:
        raise BulkError([f"须有 1–{MAX_ROWS} 行 / 1 to {MAX_ROWS} rows expected"])
    return rows


def _apply(
    session: Session,
    passwords: Passwords,
    delivery: Delivery,
    row: dict[str, str],
    created: dict[str, StaffAccount],
    actor_id: uuid.UUID,
    now: dt.datetime,
) -> None:
    name = normalise_username(row["username"])
    if name not in created:
        if find_account(session, name) is not None:
            raise AccountError("用户名已存在 / user name already taken")
        account = create_account(
            session,
            passwords,
            name,
            row["display_name"],
            row["staff_no"] or None,
            row.get("email") or None,
        )
        created[name] = account
        if owner_contact(account, delivery.channels) is None:
            raise AccountError(NO_CONTACT)
    if row["role"]:
        role = Role(row["role"])
        request_grant(session, created[name], role, _scope(session, row["scope"]), actor_id, now)


def _scope(session: Session, text: str) -> tuple[ScopeKind, int | None]:
    if text.lower() in ("city", "全市"):
        return ScopeKind.CITY, None
    district_name, _, school_name = text.partition("/")
    district = session.scalars(select(District).where(District.name == district_name.strip()))
    found = district.first()
    if found is None:
        raise AccountError("没有这个区 / no such district")
    if not school_name:
        return ScopeKind.DISTRICT, found.id
    school = session.scalars(
        select(School).where(School.district_id == found.id, School.name == school_name.strip())
    ).first()
    if school is None:
        raise AccountError("该区没有这所学校 / no such school in that district")
    return ScopeKind.SCHOOL, school.id
