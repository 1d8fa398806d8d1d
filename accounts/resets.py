"""Credential resets under dual control: asked for by one security administrator, approved by a
second when the account holds or awaits a role under dual control, and carried out by the owner
alone through a one-time link sent to their own contact.

* Nobody asks for a reset of, approves or cancels a reset of their own account; the approver is
  neither the owner nor the requester.
* From the request until the owner has enrolled again (and, under dual control, the approval is
  in), every grant of the account is suspended (``accounts.policy.load_principal``) and its
  sessions end at once. The old password and authenticator stay, but reach nothing; the new ones
  replace them when the owner uses the link.
* The owner is told at their contact who asked (and who approved); no administrator ever sees a
  credential or the link. A new account's first enrolment is a reset that needs no approval (its
  grants need their own).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts import reset_notices as notices
from accounts.courier import Contact, Courier, owner_contact
from accounts.enrolment import enrolment_url, issue_link, link_live
from accounts.models import (
    OPEN_RESET_STATES,
    CredentialReset,
    GrantStatus,
    ResetStatus,
    RoleGrant,
    StaffAccount,
)
from accounts.roles import DUAL_CONTROL_ROLES
from accounts.service import AccountError
from accounts.sessions import end_all_sessions

REASONS = frozenset({"password", "totp"})
NO_CONTACT = (
    "该账号没有联系方式：请在花名册或本账号上登记邮箱 / the account has no contact: "
    "the roster or the account needs one"
)


@dataclass(frozen=True)
class Delivery:
    """How links and notices reach owners: the outbox, the channel order, the public address."""

    courier: Courier
    channels: Sequence[str]
    base_url: str


def under_dual_control(session: Session, account_id: uuid.UUID) -> bool:
    """Whether the account holds or awaits a grant of a role under dual control."""
    found = session.scalars(
        select(RoleGrant.id)
        .where(
            RoleGrant.account_id == account_id,
            RoleGrant.status.in_((GrantStatus.PENDING, GrantStatus.ACTIVE)),
            RoleGrant.role.in_(sorted(DUAL_CONTROL_ROLES)),
        )
        .limit(1)
    ).first()
    return found is not None


def open_reset(session: Session, account_id: uuid.UUID) -> CredentialReset | None:
    """The account's reset under way, if any."""
    return session.scalars(
        select(CredentialReset)
        .where(
            CredentialReset.account_id == account_id,
            CredentialReset.status.in_(OPEN_RESET_STATES),
        )
        .order_by(CredentialReset.requested_at.desc())
    ).first()


def awaiting_approval(session: Session) -> list[CredentialReset]:
    """Every reset waiting for a second security administrator, oldest first."""
    return list(
        session.scalars(
            select(CredentialReset)
            .where(CredentialReset.status == ResetStatus.PENDING)
            .order_by(CredentialReset.requested_at)
        )
    )


def request_reset(
    session: Session,
    delivery: Delivery,
    account: StaffAccount,
    reason: str,
    actor_id: uuid.UUID,
    now: dt.datetime,
) -> CredentialReset:
    """Ask for a new password and authenticator for ``account``; it is suspended at once.

    Under dual control the owner is told who asked and the link waits for the approval;
    otherwise the link goes out now. Raises AccountError, having changed nothing.
    """
    if actor_id == account.id:
        raise AccountError("不能对自己的账号执行此操作 / not on your own account")
    if reason not in REASONS:
        raise AccountError("无效的重置 / invalid reset")
    if not account.is_active:
        raise AccountError("账号已停用，请先启用 / the account is disabled: enable it first")
    # Two administrators asking at once: the second waits here, then finds the first's reset.
    session.scalars(
        select(StaffAccount.id).where(StaffAccount.id == account.id).with_for_update()
    ).first()
    current = open_reset(session, account.id)
    contact = owner_contact(account, delivery.channels)
    if current is not None and (current.status is ResetStatus.PENDING or link_live(current, now)):
        raise AccountError("该账号的重置正在进行 / a reset of this account is already under way")
    if contact is None:
        raise AccountError(NO_CONTACT)
    if current is not None:  # its link expired unused: this request replaces it
        current.status, current.closed_at = ResetStatus.CANCELLED, now
        current.cancelled_by_id, current.token_hash, current.totp_secret = actor_id, None, None
    dual = under_dual_control(session, account.id)
    reset = _new_reset(session, account, reason, contact, actor_id, dual, now)
    end_all_sessions(session, account, now)
    requester = _username(session, actor_id)
    if dual:
        delivery.courier.send(session, notices.asked(reset, account.username, requester), now)
    else:
        _send_link(session, delivery, reset, requester, None, now)
    return reset


def begin_first_enrolment(
    session: Session,
    delivery: Delivery,
    account: StaffAccount,
    actor_id: uuid.UUID,
    now: dt.datetime,
) -> CredentialReset:
    """Send a new account's owner their one-time link; raises AccountError without a contact."""
    contact = owner_contact(account, delivery.channels)
    if contact is None:
        raise AccountError(NO_CONTACT)
    reset = _new_reset(session, account, "new", contact, actor_id, False, now)
    _send_link(session, delivery, reset, _username(session, actor_id), None, now)
    return reset


def approve_reset(
    session: Session,
    delivery: Delivery,
    reset: CredentialReset,
    actor_id: uuid.UUID,
    now: dt.datetime,
) -> None:
    """A second security administrator approves; the link goes to the owner's contact."""
    if reset.status is not ResetStatus.PENDING:
        raise AccountError("该重置不在待批准状态 / this reset is not waiting for approval")
    if actor_id in (reset.account_id, reset.requested_by_id):
        raise AccountError("须由另一位安全管理员批准 / a second security administrator must decide")
    if not reset.account.is_active:
        raise AccountError("账号已停用，请先启用 / the account is disabled: enable it first")
    reset.status = ResetStatus.APPROVED
    reset.approved_by_id, reset.approved_at = actor_id, now
    requester = _username(session, reset.requested_by_id)
    _send_link(session, delivery, reset, requester, _username(session, actor_id), now)


def cancel_reset(
    session: Session,
    delivery: Delivery,
    reset: CredentialReset,
    actor_id: uuid.UUID,
    now: dt.datetime,
) -> None:
    """End a reset under way (the requester's mistake, or a second administrator's refusal); its
    link dies, the suspension lifts, and the owner keeps the credentials they had."""
    if reset.status not in OPEN_RESET_STATES:
        raise AccountError("该重置已结束 / this reset has already ended")
    if actor_id == reset.account_id:
        raise AccountError("不能对自己的账号执行此操作 / not on your own account")
    reset.status, reset.closed_at, reset.cancelled_by_id = ResetStatus.CANCELLED, now, actor_id
    reset.token_hash, reset.totp_secret = None, None
    notice = notices.cancelled(reset, reset.account.username, _username(session, actor_id))
    delivery.courier.send(session, notice, now)


def change_contact(
    session: Session,
    delivery: Delivery,
    account: StaffAccount,
    address: str,
    actor_name: str,
    now: dt.datetime,
) -> bool:
    """Set the account's own contact e-mail; the old address, if any, is told who changed it
    (a reset under way still uses the contact it was asked for). True if there was one."""
    old = account.email
    account.email = address
    if old and old != address:
        delivery.courier.send(session, notices.contact_changed(account, old, actor_name, now), now)
    return bool(old)


def _new_reset(
    session: Session,
    account: StaffAccount,
    reason: str,
    contact: Contact,
    actor_id: uuid.UUID,
    dual: bool,
    now: dt.datetime,
) -> CredentialReset:
    reset = CredentialReset(
        id=uuid.uuid4(),
        account=account,
        reason=reason,
        status=ResetStatus.PENDING if dual else ResetStatus.APPROVED,
        needs_approval=dual,
        requested_by_id=actor_id,
        requested_at=now,
        channel=contact.channel,
        contact_source=contact.source,
    )
    reset.destination = contact.address
    session.add(reset)
    session.flush()
    return reset


def _send_link(
    session: Session,
    delivery: Delivery,
    reset: CredentialReset,
    requester: str,
    approver: str | None,
    now: dt.datetime,
) -> None:
    url = enrolment_url(delivery.base_url, issue_link(reset, now))
    notice = notices.link(reset, reset.account.username, url, requester, approver)
    delivery.courier.send(session, notice, now)


def _username(session: Session, account_id: uuid.UUID | None) -> str:
    account = session.get(StaffAccount, account_id) if account_id is not None else None
    return account.username if account is not None else "system"
