"""``/inbox``: a member of staff's own notices (reminders, escalations), and marking them read."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from accounts.gate import current_principal
from accounts.policy import requires
from accounts.roles import Permission
from db import utcnow
from db.current import request_session
from notifications.inbox import NotYours, list_items, mark_all_read, mark_read, unread_count


def make_blueprint() -> Blueprint:
    """Routes under /inbox for every logged-in member of staff."""
    bp = Blueprint("inbox", __name__, url_prefix="/inbox")
    bp.add_url_rule("/", view_func=items)
    bp.add_url_rule("/<uuid:item_id>/read", view_func=read, methods=["POST"])
    bp.add_url_rule("/read-all", view_func=read_all, methods=["POST"])
    return bp


def _session() -> Session:
    return request_session()


@requires(Permission.ACCOUNT_SELF)
def items() -> ResponseReturnValue:
    """The caller's own items, unread first."""
    me = current_principal().account_id
    session = _session()
    return render_template(
        "inbox/items.html", items=list_items(session, me), unread=unread_count(session, me)
    )


@requires(Permission.ACCOUNT_SELF)
def read(item_id: uuid.UUID) -> ResponseReturnValue:
    """Mark one of the caller's own items read (404 for anyone else's)."""
    try:
        mark_read(_session(), current_principal().account_id, item_id, utcnow())
    except NotYours:
        abort(404)
    return redirect(url_for("inbox.items"))


@requires(Permission.ACCOUNT_SELF)
def read_all() -> ResponseReturnValue:
    """Mark all of the caller's items read."""
    mark_all_read(_session(), current_principal().account_id, utcnow())
    return redirect(url_for("inbox.items"))
