"""Logging in and out, first-login setup, and the staff home page."""

from __future__ import annotations

import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import (
    session as cookie_session,
)
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as WerkzeugResponse

from accounts.authentication import attempt_login
from accounts.events import audit
from accounts.forms import ConfirmForm, LoginForm, SetupForm
from accounts.gate import current_principal
from accounts.models import StaffAccount
from accounts.passwords import PasswordRejected, current_passwords
from accounts.policy import requires
from accounts.roles import Permission
from accounts.service import change_password
from accounts.sessions import COOKIE_NAME, end_session, start_session
from accounts.totp import accept_code, new_secret, provisioning_uri
from config.current import current_settings
from db import Database, utcnow
from db.current import current_database
from ops.urls import local_target

GENERIC_FAILURE = (
    "用户名、密码或验证码不正确，或尝试过于频繁。"
    " / Wrong user name, password or code, or too many attempts."
)


def make_blueprint() -> Blueprint:
    """Routes for staff authentication and the home page."""
    bp = Blueprint("auth", __name__)
    bp.add_url_rule("/login", view_func=login, methods=["GET", "POST"])
    bp.add_url_rule("/logout", view_func=logout, methods=["POST"])
    bp.add_url_rule("/account/setup", view_func=setup, methods=["GET", "POST"])
    bp.add_url_rule("/", view_func=home)
    return bp


def _db() -> Database:
    return current_database()


def login() -> ResponseReturnValue:
    """Password + TOTP; the same answer for every kind of failure."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    now = utcnow()
    outcome = attempt_login(
        _db().session(),
        current_passwords(),
        (form.username.data or "", form.password.data or "", form.code.data or ""),
        now,
        limit=current_settings().login_attempts_per_minute,
    )
    if not outcome.ok or outcome.account is None or outcome.stage is None:
        actor = str(outcome.account.id) if outcome.account else "anonymous"
        # The attempt and its audit entry commit with this (successful) response.
        audit("auth.login", outcome="failed", actor=actor, detail={"reason": outcome.reason})
        flash(GENERIC_FAILURE, "error")
        return render_template("auth/login.html", form=form)
    audit("auth.login", actor=str(outcome.account.id), detail={"stage": outcome.stage})
    target = local_target(request.args.get("next"))
    return start_fresh_session(outcome.account, outcome.stage, target)


def start_fresh_session(account: StaffAccount, stage: str, target: str) -> WerkzeugResponse:
    """A fresh session (new cookie, new CSRF token) replacing whatever the browser had."""
    session = _db().session()
    end_session(session, request.cookies.get(COOKIE_NAME))
    cookie_session.clear()
    token = start_session(session, account, stage, utcnow())
    response = redirect(url_for("auth.setup") if stage == "setup" else target)
    response.set_cookie(
        COOKIE_NAME, token, httponly=True, samesite="Lax", secure=request.is_secure, path="/"
    )
    return response


@requires(Permission.ACCOUNT_SELF)
def logout() -> ResponseReturnValue:
    """End this session."""
    ConfirmForm().validate_on_submit()  # CSRF is checked by CSRFProtect before we get here
    end_session(_db().session(), request.cookies.get(COOKIE_NAME))
    cookie_session.clear()
    response = redirect(url_for("auth.login"))
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


@requires(Permission.ACCOUNT_SELF)
def setup() -> ResponseReturnValue:
    """First login or after a reset: a password of one's own and a confirmed authenticator."""
    if g.staff_session.stage == "full":
        return redirect(url_for("auth.home"))
    account: StaffAccount = g.staff_session.account
    if account.totp_secret_sealed is None and account.pending_totp_secret_sealed is None:
        account.pending_totp_secret = new_secret()
    enrolling = account.totp_secret_sealed is None
    secret = account.pending_totp_secret if enrolling else account.totp_secret
    form = SetupForm()
    if form.validate_on_submit():
        counter = accept_code(
            secret or "", form.code.data or "", account.totp_last_counter, utcnow()
        )
        if counter is None:
            flash("验证码不正确 / The authenticator code is not right.", "error")
        else:
            try:
                change_password(
                    _db().session(),
                    current_passwords(),
                    account,
                    form.new_password.data or "",
                    utcnow(),
                )
            except PasswordRejected as rejected:
                flash(str(rejected), "error")
            else:
                if enrolling:
                    account.totp_secret, account.pending_totp_secret = secret, None
                account.totp_last_counter = counter
                audit("auth.enrol", actor=str(account.id), detail={"new_device": enrolling})
                return start_fresh_session(account, "full", url_for("auth.home"))
    uri = provisioning_uri(secret or "", account.username) if enrolling else None
    qr = segno.make(uri, error="m").svg_data_uri(scale=5) if uri else None
    return render_template(
        "auth/setup.html",
        form=form,
        enrolling=enrolling,
        qr=qr,
        secret=secret if enrolling else None,
    )


# The home page's links: the permission that shows each, its endpoint and its label. Features
# register their blueprints in app.py; a link whose endpoint is not there is left out.
HOME_LINKS = (
    (Permission.CASES_READ, "cases.queue", "我的个案 My cases"),
    (Permission.CASES_WORK, "cases.outreach", "关怀联系 Outreach"),
    (Permission.CASES_ASSIGN, "cases.district", "区内个案 District queue"),
    (Permission.REPORTS_READ, "reports.index", "统计报告 Reports"),
    (Permission.WAVES_MANAGE, "waves.wave_list", "调查轮次 Waves"),
    (Permission.ACCOUNTS_MANAGE, "staff.accounts", "账号与授权 Accounts and roles"),
    (Permission.AUDIT_READ, "audit.entries", "审计日志 Audit log"),
    (Permission.ACCOUNT_SELF, "inbox.items", "通知 Inbox"),
    (Permission.ACCOUNT_SELF, "account.password", "修改密码 Change password"),
)


@requires(Permission.ACCOUNT_SELF)
def home() -> ResponseReturnValue:
    """What this member of staff can do, as links."""
    user = current_principal()
    links = [
        (url_for(endpoint), label)
        for permission, endpoint, label in HOME_LINKS
        if user.has(permission) and endpoint in current_app.view_functions
    ]
    return render_template("auth/home.html", user=user, links=links)
