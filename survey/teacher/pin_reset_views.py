"""Forgot my PIN, on the teacher's link: a code goes to the contact on the roster, and the
code with a new PIN opens the link again where the teacher stopped.

Holding the link is not enough (it travels through school offices): the code goes only to the
roster's phone or e-mail, never to the screen, and the page says the same whether or not the
roster has a contact. Like the PIN itself, a wrong code counts on the link's throttle.
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue

from config.current import current_settings
from privacy.vault import key_ring
from survey.teacher import browser_state as teacher_state
from survey.teacher import gate as teacher
from survey.teacher.flow import Step
from survey.teacher.forms import parse_fields
from survey.teacher.gate import Answer
from survey.teacher.pages import (
    Visit,
    commit_step,
    db_session,
    guesser,
    refused_answer,
    render,
    step_url,
    visit,
)
from survey.teacher.pin import RESET_CODE_MINUTES, PinRejected


def add_routes(bp: Blueprint) -> None:
    """Register the "forgot my PIN" routes on the teacher's blueprint."""
    bp.add_url_rule("/s/<token>/pin/forgot", view_func=forgot, methods=["GET", "POST"],
                    endpoint="pin_forgot")  # fmt: skip
    bp.add_url_rule("/s/<token>/pin/reset", view_func=reset, methods=["GET", "POST"],
                    endpoint="pin_reset")  # fmt: skip


def forgot(token: str) -> ResponseReturnValue:
    """Explain where the code goes; send it, and answer with the page to enter it."""
    v = visit(token, write=request.method == "POST")
    if v.step is not Step.UNLOCK:
        return redirect(step_url(v))
    if request.method != "POST":
        return render("pin_forgot.html", v, code_minutes=RESET_CODE_MINUTES)
    parse_fields(request.form, ())
    settings = current_settings()
    address = request.remote_addr or "unknown"
    outcome = teacher.send_reset_code(db_session(), settings, key_ring(), v.entity, v.now, address)
    commit_step()
    if outcome is teacher.CodeRequest.THROTTLED:
        code_minutes = RESET_CODE_MINUTES
        return render("pin_forgot.html", v, status=429, code_minutes=code_minutes, throttled=True)
    sent = outcome is teacher.CodeRequest.SENT
    return _reset_page(v, sent=sent, too_soon=not sent)


def reset(token: str) -> ResponseReturnValue:
    """The code from the message and a new PIN; then on to where the teacher stopped."""
    v = visit(token, write=request.method == "POST")
    if v.step is not Step.UNLOCK:
        return redirect(step_url(v))
    if request.method != "POST":
        return _reset_page(v)
    fields = parse_fields(request.form, ("code", "pin", "repeat"))
    new_pin = (fields["pin"], fields["repeat"])
    try:
        code = fields["code"]
        answer = teacher.reset_pin(
            db_session(), key_ring(), v.entity, code, new_pin, v.now, guesser()
        )
    except PinRejected as rejected:
        return _reset_page(v, status=400, rejected=rejected.reason)
    if answer is not Answer.RIGHT:
        page_url = url_for("teacher.pin_reset", token=v.token)
        return refused_answer("pin_reset.html", v, answer, page_url=page_url)
    teacher_state.mark_unlocked(v.invitation, v.now)
    v.unlocked = True
    commit_step()
    return redirect(step_url(v), 303)


def _reset_page(v: Visit, status: int = 200, **context: object) -> ResponseReturnValue:
    page_url = url_for("teacher.pin_reset", token=v.token)
    return render("pin_reset.html", v, status=status, page_url=page_url, **context)
