"""A member of staff changes their own password; every other session of theirs ends."""

from __future__ import annotations

from flask import Blueprint, flash, g, render_template, url_for
from flask.typing import ResponseReturnValue

from accounts.events import audit
from accounts.forms import PasswordForm
from accounts.models import StaffAccount
from accounts.passwords import PasswordRejected, current_passwords
from accounts.policy import requires
from accounts.roles import Permission
from accounts.service import change_password
from accounts.views import start_fresh_session
from db import utcnow
from db.current import request_session


def make_blueprint() -> Blueprint:
    """Routes for one's own account."""
    bp = Blueprint("account", __name__, url_prefix="/account")
    bp.add_url_rule("/password", view_func=password, methods=["GET", "POST"])
    return bp


@requires(Permission.ACCOUNT_SELF)
def password() -> ResponseReturnValue:
    """Check the current password, set the new one, and keep only this browser logged in."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form)
    account: StaffAccount = g.staff_session.account
    passwords = current_passwords()
    if not passwords.verify(account.password_hash, form.current.data or ""):
        flash("当前密码不正确 / The current password is not right.", "error")
        return render_template("auth/password.html", form=form)
    session = request_session()
    try:
        change_password(session, passwords, account, form.new_password.data or "", utcnow())
    except PasswordRejected as rejected:
        flash(str(rejected), "error")
        return render_template("auth/password.html", form=form)
    audit("auth.password_change", actor=str(account.id))
    flash("密码已更新，其他设备上的登录已结束。/ Password changed; other sessions ended.", "ok")
    return start_fresh_session(account, "full", url_for("auth.home"))
