"""The teacher's choice about the statistical second reader, changed on the results page.

Opting out (PIPL art. 24) keeps the teacher in the census: their answers are scored by the
published rules and followed up exactly as before; only no prediction is made from them, and the
predictions already made from this wave's answers are deleted.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from census.models import Invitation
from survey.teacher import consent
from survey.teacher.forms import BadForm, parse_fields
from survey.teacher.pages import commit_step, db_session, require_unlocked, visit


def add_routes(bp: Blueprint) -> None:
    """``POST /s/<token>/model-choice`` with ``choice`` = ``out`` or ``in``."""
    bp.add_url_rule("/s/<token>/model-choice", view_func=model_choice, methods=["POST"])


def opted_out(invitation_id: uuid.UUID) -> bool:
    """Whether the teacher left the second reader out for this wave."""
    stmt = select(Invitation.model_opt_out_at).where(Invitation.id == invitation_id)
    return db_session().scalar(stmt) is not None


def model_choice(token: str) -> ResponseReturnValue:
    """Leave the statistical model out, or let it back in; back to the results page."""
    v = visit(token, write=True)
    require_unlocked(v)
    choice = parse_fields(request.form, ("choice",), digits=False)["choice"]
    if choice not in ("out", "in"):
        raise BadForm("bad_choice")
    consent.set_model_choice(db_session(), v.entity, choice == "out", v.now)
    commit_step()
    return redirect(url_for("teacher.results", token=token), 303)
