"""The one-time enrolment link: ``/account/enrol/<token>`` (public; the token is the key).

Opening it shows the authenticator to scan and changes nothing; posting a new password and a
code from that authenticator sets both and closes the reset; then the owner logs in. The token
never reaches a log line (``ops.logs.redact_path``).
"""

from __future__ import annotations

import segno
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from accounts.enrolment import EnrolmentRefused, enrol, find_by_token
from accounts.events import audit
from accounts.forms import SetupForm
from accounts.passwords import PasswordRejected, current_passwords
from accounts.totp import provisioning_uri
from db import utcnow
from db.current import request_session


def make_blueprint() -> Blueprint:
    """The enrolment page."""
    bp = Blueprint("enrol", __name__)
    bp.add_url_rule(
        "/account/enrol/<token>", "enrol", view_func=enrol_page, methods=["GET", "POST"]
    )
    return bp


def enrol_page(token: str) -> ResponseReturnValue:
    """Set a new password and enrol a new authenticator, once, within the link's lifetime."""
    session = request_session()
    now = utcnow()
    reset = find_by_token(session, token, now)
    if reset is None:
        return render_template("auth/enrol_gone.html"), 404
    account = reset.account
    form = SetupForm()
    if request.method == "POST" and form.validate_on_submit():
        credentials = (form.new_password.data or "", form.code.data or "")
        try:
            enrol(session, current_passwords(), reset, credentials, now)
        except (PasswordRejected, EnrolmentRefused) as refused:
            flash(str(refused), "error")
        else:
            audit(
                "account.enrol",
                actor=str(account.id),
                object_type="account",
                object_id=str(account.id),
                detail={
                    "reset": str(reset.id),
                    "reason": reset.reason,
                    "requested_by": _id(reset.requested_by_id),
                    "approved_by": _id(reset.approved_by_id),
                },
            )
            flash(
                "设置完成，请用新密码和身份验证器登录。"
                " / Done: log in with your new password and authenticator.",
                "ok",
            )
            return redirect(url_for("auth.login"), 303)
    secret = reset.totp_secret or ""
    qr = segno.make(provisioning_uri(secret, account.username), error="m").svg_data_uri(scale=5)
    return render_template(
        "auth/enrol.html", form=form, qr=qr, secret=secret, username=account.username
    )


def _id(value: object) -> str | None:
    return str(value) if value is not None else None
