"""The security administrators' page for the second reader's mode: ask, approve, reject.

Every request and decision is audited; a decision by the requester is refused (dual control).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from accounts.events import audit
from accounts.gate import current_principal
from accounts.policy import requires
from accounts.roles import Permission
from analysis.model_models import ModelMode, ModelSwitch
from analysis.switch import SwitchError, current_mode, decide_switch, pending_switch, request_switch
from db import utcnow
from db.current import request_session

SWITCH = Permission.MODEL_SWITCH


def add_routes(bp: Blueprint) -> None:
    """The mode page and its two actions."""
    bp.add_url_rule("/model/mode", view_func=mode_page)
    bp.add_url_rule("/model/mode", view_func=ask, methods=["POST"], endpoint="ask_switch")
    bp.add_url_rule("/model/mode/<int:switch_id>/<any(approve, reject):decision>",
                    view_func=decide, methods=["POST"], endpoint="decide_switch")  # fmt: skip


def _session() -> Session:
    return request_session()


@requires(SWITCH)
def mode_page() -> ResponseReturnValue:
    """The current mode, and the request waiting for a second security administrator."""
    session = _session()
    return render_template(
        "analysis/mode.html",
        mode=current_mode(session),
        pending=pending_switch(session),
        me=current_principal().account_id,
    )


@requires(SWITCH)
def ask() -> ResponseReturnValue:
    """Ask for live (a second administrator approves) or shadow (at once)."""
    try:
        mode = ModelMode(request.form.get("mode", ""))
    except ValueError:
        abort(400)
    try:
        switch = request_switch(_session(), mode, current_principal().account_id, utcnow())
    except SwitchError as error:
        flash(str(error), "error")
        return redirect(url_for("model.mode_page"), 303)
    audit("model.switch_requested", object_type="model_switch", object_id=str(switch.id),
          detail={"mode": mode.value, "status": switch.status.value})  # fmt: skip
    return redirect(url_for("model.mode_page"), 303)


@requires(SWITCH)
def decide(switch_id: int, decision: str) -> ResponseReturnValue:
    """A second security administrator approves or rejects going live."""
    session = _session()
    switch = session.get(ModelSwitch, switch_id)
    if switch is None:
        abort(404)
    try:
        decide_switch(session, switch, decision == "approve", current_principal().account_id,
                      utcnow())  # fmt: skip
    except SwitchError as error:
        flash(str(error), "error")
        return redirect(url_for("model.mode_page"), 303)
    audit(f"model.switch_{decision}d", object_type="model_switch", object_id=str(switch.id),
          detail={"mode": switch.mode.value})  # fmt: skip
    return redirect(url_for("model.mode_page"), 303)
