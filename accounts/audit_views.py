"""The auditor's pages: read, filter and verify the audit log without a shell."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from accounts.events import audit
from accounts.policy import requires
from accounts.roles import Permission
from db.current import request_session
from privacy.audit.checkpoint import CheckpointError, parse_checkpoint
from privacy.audit.queries import EntryFilter, list_entries
from privacy.audit.verify import verify_chain
from privacy.vault import key_ring

FILTERS = ("actor", "action", "object_type", "object_id", "outcome")


class VerifyForm(FlaskForm):
    """An optional signed checkpoint, pasted from where it was kept."""

    checkpoint = TextAreaField(
        "检查点 Checkpoint (JSON)", validators=[Optional(), Length(max=2000)]
    )


def make_blueprint() -> Blueprint:
    """Routes under /audit for auditors."""
    bp = Blueprint("audit", __name__, url_prefix="/audit")
    bp.add_url_rule("/", view_func=entries)
    bp.add_url_rule("/verify", view_func=verify, methods=["GET", "POST"])
    return bp


def _session() -> Session:
    return request_session()


@requires(Permission.AUDIT_READ)
def entries() -> ResponseReturnValue:
    """Entries, newest first, filtered by the query string."""
    args = {name: (request.args.get(name) or "").strip()[:64] or None for name in FILTERS}
    filters = EntryFilter(
        since=_day(request.args.get("since")),
        until=_day(request.args.get("until"), end=True),
        **args,
    )
    page = request.args.get("page", "1")
    listing = list_entries(
        _session(), filters, page=int(page) if page.isdigit() and page != "0" else 1
    )
    return render_template(
        "audit/entries.html", listing=listing, args=request.args, form=VerifyForm()
    )


def _day(text: str | None, end: bool = False) -> dt.datetime | None:
    try:
        day = dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return start + dt.timedelta(days=1) if end else start


@requires(Permission.AUDIT_READ)
def verify() -> ResponseReturnValue:
    """Recompute the chain, against a pasted checkpoint when one is given."""
    form = VerifyForm()
    checkpoint, error = None, None
    if form.validate_on_submit() and form.checkpoint.data:
        try:
            checkpoint = parse_checkpoint(key_ring().secret("audit"), form.checkpoint.data)
        except CheckpointError as problem:
            error = str(problem)
    result = None if error else verify_chain(_session(), checkpoint=checkpoint)
    audit("audit.verify", outcome="ok" if result and result.ok else "failed")
    return render_template("audit/verify.html", result=result, error=error, form=form)
