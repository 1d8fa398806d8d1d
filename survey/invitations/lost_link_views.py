"""The public page where a teacher asks for their link again: ``/lost-link``."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from config.current import current_settings
from db import utcnow
from db.current import request_session
from survey.invitations.lost_link import Outcome, request_new_link


class LostLinkForm(FlaskForm):  # type: ignore[misc]
    """Staff number and phone, as on the roster."""

    staff_no = StringField("工号 Staff number", validators=[DataRequired(), Length(max=40)])
    phone = StringField("手机号码 Mobile phone", validators=[DataRequired(), Length(max=40)])


def make_blueprint() -> Blueprint:
    """The one public route of this blueprint (on the policy's allow-list)."""
    bp = Blueprint("lost_link", __name__)
    bp.add_url_rule("/lost-link", view_func=lost_link, methods=["GET", "POST"])
    return bp


def lost_link() -> ResponseReturnValue:
    """Ask for the link again; the answer never says whether anybody matched."""
    form = LostLinkForm()
    if not form.validate_on_submit():
        return render_template("waves/lost_link.html", form=form, done=False)
    outcome = request_new_link(
        request_session(),
        current_settings(),
        form.staff_no.data or "",
        form.phone.data or "",
        request.remote_addr or "unknown",
        utcnow(),
    )
    if outcome is Outcome.THROTTLED:
        return render_template("waves/lost_link.html", form=form, done=False, throttled=True), 429
    return render_template("waves/lost_link.html", form=LostLinkForm(formdata=None), done=True)
