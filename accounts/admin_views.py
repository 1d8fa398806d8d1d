"""Security administrators' pages: accounts, role grants and their approval, resets, disabling.

No page shows a password or a link: a new account's owner, like the owner of a reset account,
sets their credentials through a one-time link sent to their own contact (``reset_views``).
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.bulk import BulkError, import_accounts
from accounts.courier import describe, owner_contact
from accounts.enrolment import link_live
from accounts.events import audit
from accounts.forms import BulkAccountsForm, ConfirmForm, ContactForm, GrantForm, NewAccountForm
from accounts.gate import current_principal
from accounts.models import GrantStatus, RoleGrant, StaffAccount
from accounts.passwords import current_passwords
from accounts.policy import requires
from accounts.reset_views import add_rules, ask_for_reset, delivery
from accounts.resets import awaiting_approval, begin_first_enrolment, open_reset
from accounts.roles import ROLE_LABELS, Permission, Role, ScopeKind
from accounts.service import (
    AccountError,
    create_account,
    decide_grant,
    request_grant,
    revoke_grant,
    set_active,
)
from config.current import current_settings
from db import utcnow
from db.current import request_session
from org.models import District

MANAGE = Permission.ACCOUNTS_MANAGE


def make_blueprint() -> Blueprint:
    """Routes under /staff for security administrators."""
    bp = Blueprint("staff", __name__, url_prefix="/staff")
    bp.add_url_rule("/accounts", view_func=accounts)
    bp.add_url_rule("/accounts/new", view_func=new_account, methods=["GET", "POST"])
    bp.add_url_rule("/accounts/import", view_func=bulk_import, methods=["GET", "POST"])
    bp.add_url_rule("/accounts/<uuid:account_id>", view_func=account_detail)
    bp.add_url_rule("/accounts/<uuid:account_id>/grants", view_func=add_grant, methods=["POST"])
    bp.add_url_rule(
        "/accounts/<uuid:account_id>/<any('reset-password','reset-totp','disable','enable'):action>",
        view_func=account_action,
        methods=["POST"],
    )
    bp.add_url_rule(
        "/grants/<int:grant_id>/<any(approve, reject):decision>",
        view_func=decide,
        methods=["POST"],
    )
    bp.add_url_rule("/grants/<int:grant_id>/revoke", view_func=revoke, methods=["POST"])
    add_rules(bp)
    return bp


def _session() -> Session:
    return request_session()


def _account(account_id: uuid.UUID) -> StaffAccount:
    account = _session().get(StaffAccount, account_id)
    if account is None:
        abort(404)
    return account


def _grant(grant_id: int) -> RoleGrant:
    grant = _session().get(RoleGrant, grant_id)
    if grant is None:
        abort(404)
    return grant


@requires(MANAGE)
def accounts() -> ResponseReturnValue:
    """Every staff account, and the grants and resets waiting for a second approval."""
    session = _session()
    listed = session.scalars(select(StaffAccount).order_by(StaffAccount.username)).all()
    pending = session.scalars(
        select(RoleGrant).where(RoleGrant.status == GrantStatus.PENDING).order_by(RoleGrant.id)
    ).all()
    resets = awaiting_approval(session)
    usernames = _usernames(session, {r.requested_by_id for r in resets})
    return render_template(
        "staff/accounts.html",
        accounts=listed,
        pending=pending,
        resets=resets,
        usernames=usernames,
        describe=describe,
        labels=ROLE_LABELS,
        me=current_principal(),
        form=ConfirmForm(),
    )


def _usernames(session: Session, ids: set[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    rows = session.execute(
        select(StaffAccount.id, StaffAccount.username).where(StaffAccount.id.in_(wanted))
    )
    return {row[0]: row[1] for row in rows}


@requires(MANAGE)
def new_account() -> ResponseReturnValue:
    """Create one account; its owner receives the set-up link at their own contact."""
    form = NewAccountForm()
    if form.validate_on_submit():
        session, me = _session(), current_principal()
        try:
            account = create_account(
                session,
                current_passwords(),
                form.username.data or "",
                form.display_name.data or "",
                form.staff_no.data or None,
                form.email.data or None,
            )
            begin_first_enrolment(session, delivery(), account, me.account_id, utcnow())
        except AccountError as error:
            flash(str(error), "error")
            return render_template("staff/new_account.html", form=form), 400
        audit("account.create", object_type="account", object_id=str(account.id))
        flash(
            "账号已创建，设置链接已发给本人。/ Account created; the set-up link went to its owner.",
            "ok",
        )
        return redirect(url_for("staff.account_detail", account_id=account.id))
    return render_template("staff/new_account.html", form=form)


@requires(MANAGE)
def bulk_import() -> ResponseReturnValue:
    """Accounts, roles and scopes from a CSV: all rows or none."""
    form = BulkAccountsForm()
    if form.validate_on_submit():
        try:
            created = import_accounts(
                _session(),
                current_passwords(),
                delivery(),
                form.file.data.read(),
                current_principal().account_id,
                utcnow(),
            )
        except BulkError as error:
            return render_template("staff/import.html", form=form, errors=error.problems), 400
        audit("account.import", detail={"accounts": len(created)})
        settings = current_settings()
        listed = [(a, owner_contact(a, settings.notify_channel_list)) for a in created]
        return render_template("staff/created.html", created=listed, describe=describe)
    return render_template("staff/import.html", form=form, errors=[])


@requires(MANAGE)
def account_detail(account_id: uuid.UUID) -> ResponseReturnValue:
    """One account: its grants, and the actions on it."""
    account, session = _account(account_id), _session()
    grant_form = GrantForm()
    grant_form.scope_id.choices = _scope_choices(session)
    settings = current_settings()
    contact = owner_contact(account, settings.notify_channel_list)
    reset = open_reset(session, account.id)
    return render_template(
        "staff/account.html",
        account=account,
        labels=ROLE_LABELS,
        grant_form=grant_form,
        form=ConfirmForm(),
        contact_form=ContactForm(),
        contact=describe(contact.channel, contact.source, contact.address) if contact else None,
        reset=reset,
        reset_live=reset is not None and link_live(reset, utcnow()),
        usernames=_usernames(session, {reset.requested_by_id} if reset else set()),
        me=current_principal(),
    )


def _scope_choices(session: Session) -> list[tuple[str, str]]:
    choices = [("city", "全市 City")]
    for district in session.scalars(select(District).order_by(District.name)):
        choices.append((f"district:{district.id}", district.name))
        for school in sorted(district.schools, key=lambda s: s.name):
            choices.append((f"school:{school.id}", f"{district.name} / {school.name}"))
    return choices


@requires(MANAGE)
def add_grant(account_id: uuid.UUID) -> ResponseReturnValue:
    """Request a role over a scope; identified-data roles wait for a second approval."""
    account, form = _account(account_id), GrantForm()
    if form.validate_on_submit():
        try:
            grant = request_grant(
                _session(),
                account,
                Role(form.role.data),
                _parse_scope(form.scope_id.data),
                current_principal().account_id,
                utcnow(),
            )
        except (AccountError, ValueError) as error:
            flash(str(error), "error")
            return redirect(url_for("staff.account_detail", account_id=account.id))
        audit(
            "role.grant",
            object_type="account",
            object_id=str(account.id),
            detail={"role": grant.role.value, "status": grant.status.value},
        )
    return redirect(url_for("staff.account_detail", account_id=account.id))


def _parse_scope(value: str | None) -> tuple[ScopeKind, int | None]:
    kind, _, target = (value or "").partition(":")
    if kind == "city":
        return ScopeKind.CITY, None
    if kind in ("district", "school") and target.isdigit():
        return ScopeKind(kind), int(target)
    raise AccountError("范围无效 / invalid scope")


@requires(MANAGE)
def account_action(account_id: uuid.UUID, action: str) -> ResponseReturnValue:
    """Ask for a reset of the password or TOTP device (the owner sets both anew through a link
    sent to their contact; never shown here), or disable / enable an account."""
    account, me, now, session = _account(account_id), current_principal(), utcnow(), _session()
    if account.id == me.account_id:
        flash("不能对自己的账号执行此操作 / not on your own account", "error")
        return redirect(url_for("staff.account_detail", account_id=account.id))
    if action in ("reset-password", "reset-totp"):
        return ask_for_reset(account, action.removeprefix("reset-"))
    set_active(session, account, action == "enable", me.account_id, now)
    audit(f"account.{action}", object_type="account", object_id=str(account.id))
    return redirect(url_for("staff.account_detail", account_id=account.id))


@requires(Permission.GRANTS_APPROVE)
def decide(grant_id: int, decision: str) -> ResponseReturnValue:
    """A second security administrator approves or rejects a pending grant."""
    grant = _grant(grant_id)
    try:
        decide_grant(
            _session(), grant, decision == "approve", current_principal().account_id, utcnow()
        )
    except AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("staff.accounts")), 303
    audit(
        f"role.{decision}",
        object_type="grant",
        object_id=str(grant.id),
        detail={"role": grant.role.value},
    )
    return redirect(url_for("staff.accounts"))


@requires(MANAGE)
def revoke(grant_id: int) -> ResponseReturnValue:
    """Withdraw a grant; it stops working on the holder's next request."""
    grant = _grant(grant_id)
    try:
        revoke_grant(_session(), grant, current_principal().account_id, utcnow())
    except AccountError as error:
        flash(str(error), "error")
    else:
        audit(
            "role.revoke",
            object_type="grant",
            object_id=str(grant.id),
            detail={"role": grant.role.value},
        )
    return redirect(url_for("staff.account_detail", account_id=grant.account_id))
