"""Telling the security administrators about something that needs a look (a burst of locked
teacher links): an inbox item for each active security administrator, and an e-mail to those
whose account is linked to a roster record with an address — through the same once-per-key path
as case notices (``accounts.staff_notices.deliver_notices``).

A notice says what happened, how often and when; never a teacher, a link, an address or a code.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.roles import Role
from accounts.staff_notices import Notice, accounts_by_id, deliver_notices


def security_admin_ids(session: Session) -> list[uuid.UUID]:
    """The active accounts holding an active security administrator grant."""
    return list(
        session.scalars(
            select(StaffAccount.id)
            .join(RoleGrant, RoleGrant.account_id == StaffAccount.id)
            .where(
                RoleGrant.role == Role.SECURITY_ADMIN,
                RoleGrant.status == GrantStatus.ACTIVE,
                StaffAccount.is_active.is_(True),
            )
            .distinct()
        )
    )


def notify_security_admins(
    session: Session, key: str, kind: str, title: str, body: str, now: dt.datetime
) -> int:
    """Tell every active security administrator, once per ``key``; returns how many."""
    people = accounts_by_id(session, security_admin_ids(session))
    notices = [
        Notice(
            key=f"{key}:{account_id}",
            recipient=recipient,
            case_id=None,
            kind=kind,
            title=title,
            subject=f"心安 Xinan · {title}",
            body=body,
        )
        for account_id, recipient in sorted(people.items(), key=lambda item: str(item[0]))
    ]
    deliver_notices(session, notices, now)
    return len(notices)
