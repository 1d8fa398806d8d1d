"""Security administrators' side of credential resets and contacts, on the ``staff`` blueprint.

Asking for a reset (the account page's reset buttons), approving or cancelling one, and setting
an account's own contact e-mail. No page ever shows a credential or a link: they go to the
owner's contact through the outbox.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from accounts.courier import current_courier
from accounts.events import audit
from accounts.forms import ContactForm
from accounts.gate import current_principal
from accounts.models import CredentialReset, StaffAccount
from accounts.policy import requires
from accounts.resets import (
    Delivery,
    approve_reset,
    cancel_reset,
    change_contact,
    request_reset,
)
from accounts.roles import Permission
from accounts.service import AccountError, checked_email
from config.current import current_settings
from db import utcnow
from db.current import request_session


def add_rules(bp: Blueprint) -> None:
    """Register the reset and contact routes on the staff blueprint."""
    bp.add_url_rule(
        "/resets/<uuid:reset_id>/<any(approve, cancel):decision>",
        view_func=decide_reset,
        methods=["POST"],
    )
    bp.add_url_rule("/accounts/<uuid:account_id>/contact", view_func=set_contact, methods=["POST"])


def delivery() -> Delivery:
    """How this app sends links and notices to owners."""
    settings = current_settings()
    return Delivery(current_courier(), settings.notify_channel_list, settings.base_url)


def _session() -> Session:
    return request_session()


def _to_account(account_id: uuid.UUID) -> ResponseReturnValue:
    return redirect(url_for("staff.account_detail", account_id=account_id))


def ask_for_reset(account: StaffAccount, reason: str) -> ResponseReturnValue:
    """A new password and authenticator for ``account``, set by its owner through a link."""
    me = current_principal()
    try:
        reset = request_reset(_session(), delivery(), account, reason, me.account_id, utcnow())
    except AccountError as error:
        flash(str(error), "error")
        return _to_account(account.id)
    audit(
        "account.reset_request",
        object_type="account",
        object_id=str(account.id),
        detail={
            "reset": str(reset.id),
            "reason": reason,
            "requested_by": str(me.account_id),
            "needs_approval": reset.needs_approval,
        },
    )
    if reset.needs_approval:
        flash(
            "已申请重置：该账号已暂停，须另一位安全管理员批准后，设置链接才会发给本人。"
            " / Reset asked for: the account is suspended; once a second security administrator"
            " approves, the set-up link goes to its owner.",
            "ok",
        )
    else:
        flash(
            "已申请重置：设置链接已发给本人，本页不显示任何密码。"
            " / Reset asked for: the set-up link went to the owner; no password is shown here.",
            "ok",
        )
    return _to_account(account.id)


@requires(Permission.GRANTS_APPROVE)
def decide_reset(reset_id: uuid.UUID, decision: str) -> ResponseReturnValue:
    """A second security administrator approves a reset, or anyone but the owner cancels one."""
    session = _session()
    reset = session.get(CredentialReset, reset_id)
    if reset is None:
        abort(404)
    actor = current_principal().account_id
    try:
        if decision == "approve":
            approve_reset(session, delivery(), reset, actor, utcnow())
        else:
            cancel_reset(session, delivery(), reset, actor, utcnow())
    except AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("staff.accounts"), 303)
    by = "approved_by" if decision == "approve" else "cancelled_by"
    audit(
        f"account.reset_{decision}",
        object_type="account",
        object_id=str(reset.account_id),
        detail={
            "reset": str(reset.id),
            "reason": reset.reason,
            "requested_by": str(reset.requested_by_id) if reset.requested_by_id else None,
            by: str(actor),
        },
    )
    return redirect(url_for("staff.accounts"))


@requires(Permission.ACCOUNTS_MANAGE)
def set_contact(account_id: uuid.UUID) -> ResponseReturnValue:
    """Set the account's own contact e-mail; the old address, if any, is told who changed it."""
    session = _session()
    account = session.get(StaffAccount, account_id)
    if account is None:
        abort(404)
    me = current_principal()
    form = ContactForm()
    if not form.validate_on_submit():
        flash("邮箱格式不正确 / not an e-mail address", "error")
        return _to_account(account.id)
    try:
        if account.id == me.account_id:
            raise AccountError("不能对自己的账号执行此操作 / not on your own account")
        address = checked_email(form.email.data or "")
    except AccountError as error:
        flash(str(error), "error")
        return _to_account(account.id)
    had_contact = change_contact(session, delivery(), account, address, me.username, utcnow())
    audit(
        "account.contact_change",
        object_type="account",
        object_id=str(account.id),
        detail={"had_contact": had_contact},
    )
    flash("联系邮箱已更新 / Contact e-mail saved.", "ok")
    return _to_account(account.id)
