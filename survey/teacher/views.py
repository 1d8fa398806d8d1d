"""The teacher's pages at ``/s/<token>``: landing, identity, PIN, consent (answers and results are
in ``survey.teacher.answer_views``). Views stay thin: parse, call one service, commit the step
(``survey.teacher.pages.commit_step``, whatever page answers it), render.

Every route here is public (``accounts.policy.PUBLIC_ENDPOINTS``): the token, the identity answer
and the PIN are the teacher's keys, and without them a page shows nothing personal. Until the
phone ending is given, every link of a wave answers every request alike (``visit``'s gate).
"""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from config.current import settings_of
from privacy.vault import key_ring
from survey.teacher import answer_views as teacher_answers
from survey.teacher import browser_state as teacher_state
from survey.teacher import consent, model_choice, pin_reset_views
from survey.teacher import gate as teacher
from survey.teacher.feedback import HELPLINES_FILE, load_helplines
from survey.teacher.flow import FlowError, Step
from survey.teacher.forms import BadForm, parse_fields
from survey.teacher.gate import Answer
from survey.teacher.i18n import install_i18n, switch_language
from survey.teacher.pages import (
    commit_step,
    db_session,
    flow_problem,
    guesser,
    install_helplines,
    problem,
    refused_answer,
    render,
    require_answering,
    require_unlocked,
    step_url,
    visit,
)
from survey.teacher.pin import PinRejected


def make_blueprint() -> Blueprint:
    """The teacher's blueprint (also installs Flask-Babel and loads the help lines)."""
    bp = Blueprint("teacher", __name__)
    bp.record_once(_setup)
    bp.add_url_rule("/s/<token>", view_func=landing)
    bp.add_url_rule("/s/<token>/confirm", view_func=confirm, methods=["GET", "POST"])
    bp.add_url_rule("/s/<token>/pin", view_func=new_pin, methods=["GET", "POST"])
    bp.add_url_rule("/s/<token>/unlock", view_func=unlock, methods=["GET", "POST"])
    bp.add_url_rule("/s/<token>/consent", view_func=consent_page, methods=["GET", "POST"],
                    endpoint="consent")  # fmt: skip
    bp.add_url_rule("/lang/<any('zh-CN', en):code>", view_func=switch_language,
                    endpoint="language")  # fmt: skip
    teacher_answers.add_routes(bp)
    pin_reset_views.add_routes(bp)
    model_choice.add_routes(bp)
    bp.register_error_handler(FlowError, lambda e: flow_problem(e, None))
    bp.register_error_handler(BadForm, lambda e: problem("bad_form", 400))
    bp.register_error_handler(HTTPException, _http_problem)
    return bp


def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    if not isinstance(app, Flask):
        raise TypeError("the teacher blueprint needs a Flask app")
    install_i18n(app)
    path = settings_of(app).extra.get("helplines_file", HELPLINES_FILE)
    install_helplines(app, load_helplines(path))


def _http_problem(error: HTTPException) -> ResponseReturnValue:
    if error.response is not None:  # a redirect or a page passed to abort()
        return error.response
    reason = {404: "not_found", 413: "too_large", 405: "bad_form", 429: "locked"}.get(
        error.code or 400, "bad_form"
    )
    if isinstance(error, CSRFError):
        reason = "csrf"
    return problem(reason, error.code or 400)


def landing(token: str) -> ResponseReturnValue:
    """What the census is for and who sees what; nothing personal, whoever holds the link.
    Before the gate it is the same page for every teacher of the wave: no status, no receipt."""
    v = visit(token, gate=False)
    receipt = None if v.step is Step.CONFIRM else teacher_answers.receipt_of(v)
    return render("landing.html", v, step=v.step.value, receipt=receipt, next_url=step_url(v))


def confirm(token: str) -> ResponseReturnValue:
    """The last four digits of the teacher's own phone number, as the roster has it: the gate
    of every link, whatever its teacher's state; then the PIN is set or entered."""
    v = visit(token, write=request.method == "POST", gate=False)
    if v.step is not Step.CONFIRM:
        # Past the gate already (or the form sent again: the next page is the answer to it).
        return redirect(step_url(v), 303 if request.method == "POST" else 302)
    if request.method != "POST":
        return render("confirm.html", v)
    digits = parse_fields(request.form, ("digits",))["digits"]
    answer = teacher.confirm_identity(db_session(), v.entity, digits, v.now, guesser())
    if answer is not Answer.RIGHT:
        return refused_answer("confirm.html", v, answer)
    if v.invitation.pin_hash is None:
        require_answering(v)  # a closed wave takes no new teacher (and nothing is kept)
    teacher_state.mark_confirmed(v.invitation, v.now)
    v.confirmed = True
    commit_step()
    if v.invitation.pin_hash is not None:  # on to the PIN, or to the outcome
        return redirect(step_url(v), 303)
    # Answered with the next step's page, as questionnaire pages are: one round trip fewer.
    return render("pin_new.html", v, page_url=url_for("teacher.new_pin", token=token))


def new_pin(token: str) -> ResponseReturnValue:
    """Choose a 4–6 digit PIN; it guards resuming, results and withdrawal."""
    v = visit(token, write=request.method == "POST")
    if v.step is not Step.SET_PIN:
        return redirect(step_url(v))
    require_answering(v)
    if request.method != "POST":
        return render("pin_new.html", v)
    fields = parse_fields(request.form, ("pin", "repeat"))
    try:
        new = (fields["pin"], fields["repeat"])
        teacher.set_pin(db_session(), key_ring(), v.entity, new, v.now)
    except PinRejected as rejected:
        return render("pin_new.html", v, status=400, rejected=rejected.reason)
    teacher_state.mark_unlocked(v.invitation, v.now)
    commit_step()
    # Answered with the consent page itself (it names its own address), one round trip fewer.
    return render(
        "consent.html",
        v,
        version=consent.CONSENT_VERSION,
        page_url=url_for("teacher.consent", token=token),
    )


def unlock(token: str) -> ResponseReturnValue:
    """Enter the PIN to continue, see results or withdraw (throttled)."""
    v = visit(token, write=request.method == "POST")
    if v.step is not Step.UNLOCK:
        return redirect(step_url(v))
    if request.method != "POST":
        return render("unlock.html", v)
    pin = parse_fields(request.form, ("pin",))["pin"]
    answer = teacher.unlock(db_session(), key_ring(), v.entity, pin, v.now, guesser())
    if answer is not Answer.RIGHT:
        return refused_answer("unlock.html", v, answer)
    teacher_state.mark_unlocked(v.invitation, v.now)
    v.unlocked = True
    commit_step()
    return redirect(step_url(v), 303)


def consent_page(token: str) -> ResponseReturnValue:
    """The separate consent for sensitive personal information: agree, or decline."""
    v = visit(token, write=request.method == "POST")
    if v.step is not Step.CONSENT:
        return redirect(step_url(v))
    require_unlocked(v)
    require_answering(v)
    if request.method != "POST":
        return render("consent.html", v, version=consent.CONSENT_VERSION)
    fields = parse_fields(request.form, ("decision", "model_opt_out"), digits=False)
    decision, opt_out = fields["decision"], fields["model_opt_out"] == "yes"
    if decision == "agree":
        consent.give_consent(db_session(), v.entity, v.now, model_opt_out=opt_out)
        commit_step()
        # Nothing is saved before consent: the first page, blank and without help lines.
        return teacher_answers.first_page(v)
    if decision == "decline":
        consent.decline(db_session(), v.entity, v.now)
        teacher_state.forget(v.invitation)
        commit_step()
        return render("declined.html", v, just_now=True)
    return problem("bad_form", 400, v)
