"""The teacher's answering pages: one page per instrument, review, submit, feedback, results,
"I would like to talk to someone", and withdrawal. All behind the PIN.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from alerts.door import (
    OutreachState,
    RoutingPolicy,
    outreach_state,
    policy_from_settings,
    request_talk,
)
from census.earlier_scores import earlier_documents
from census.models import InvitationStatus
from config.current import current_settings
from instruments import Instrument
from scoring.levels import RiskLevel
from survey.teacher import browser_state as teacher_state
from survey.teacher import consent, drafts, link, model_choice, page_timing, submission
from survey.teacher.drafts import response_of, stored_answers
from survey.teacher.feedback import changes_for, earlier_waves, results_for
from survey.teacher.flow import AlreadySubmitted, FlowError, page_instruments, resume_page
from survey.teacher.forms import BadForm, missing_items, parse_fields, parse_page
from survey.teacher.i18n import current_lang
from survey.teacher.page_timing import seconds_on_page
from survey.teacher.pages import (
    Visit,
    commit_step,
    db_session,
    problem,
    render,
    require_answering,
    require_unlocked,
    visit,
)
from survey.teacher.referral import submitted_referral

BLANK_ITEMS = "xinan.blank_items"  # app.extensions: unanswered fieldsets by (instrument, lang)


def add_routes(bp: Blueprint) -> None:
    """Register the answering routes on the teacher's blueprint."""
    bp.add_url_rule("/s/<token>/continue", view_func=resume, endpoint="resume")
    bp.add_url_rule("/s/<token>/page/<int:number>", view_func=page, methods=["GET", "POST"])
    bp.add_url_rule("/s/<token>/review", view_func=review)
    bp.add_url_rule("/s/<token>/submit", view_func=submit, methods=["POST"])
    bp.add_url_rule("/s/<token>/done", view_func=done)
    bp.add_url_rule("/s/<token>/results", view_func=results)
    bp.add_url_rule("/s/<token>/talk", view_func=talk, methods=["POST"])
    bp.add_url_rule("/s/<token>/withdraw", view_func=withdraw, methods=["GET", "POST"])


def receipt_of(v: Visit) -> str | None:
    """The receipt of a submitted invitation (shown even without the PIN: it is not personal)."""
    if v.invitation.status is not InvitationStatus.SUBMITTED:
        return None
    response = response_of(db_session(), v.invitation)
    return response.receipt if response else None


def _answering(token: str) -> Visit:
    v = visit(token, with_draft=True)
    require_unlocked(v)
    if v.invitation.status is InvitationStatus.SUBMITTED:
        raise AlreadySubmitted()
    if v.invitation.consented_at is None or v.invitation.status is not InvitationStatus.STARTED:
        raise FlowError()
    require_answering(v)
    return v


def resume(token: str) -> ResponseReturnValue:
    """Open the page where the teacher stopped."""
    v = visit(token, with_draft=True)
    require_unlocked(v)
    if v.invitation.status is InvitationStatus.SUBMITTED:
        return redirect(url_for("teacher.done", token=token))
    n_pages = len(page_instruments(v.wave.battery))
    number = resume_page(v.draft.response, n_pages)
    if number > n_pages:
        return redirect(url_for("teacher.review", token=token))
    return redirect(url_for("teacher.page", token=token, number=number))


def page(token: str, number: int) -> ResponseReturnValue:
    """One instrument: stem, recall period, each item a fieldset of options; saved on each post.

    A post is answered with the page the teacher goes to (or the review), not a redirect to it:
    one round trip per page on a phone, not two. The page names its own address, and a small
    script puts that in the address bar, so reloading or going back asks for it afresh."""
    v = _answering(token)  # a save locks what it writes itself (drafts.save_page)
    instruments = page_instruments(v.wave.battery)
    if not 1 <= number <= len(instruments):
        return problem("not_found", 404, v)
    if request.method != "POST":
        return _page(v, number, stored_answers(v.draft.response), v.draft.crisis, _saved_up_to(v))
    instrument = instruments[number - 1]
    answers, go = parse_page(request.form, instrument)
    seconds = seconds_on_page(request.form.get(page_timing.FIELD), instrument.id, v.now)
    saved = drafts.save_page(
        db_session(),
        v.invitation,
        v.wave,
        number,
        answers,
        v.now,
        v.draft,
        routing=_routing(),
        seconds=seconds,
    )
    commit_step()
    target = {"back": max(number - 1, 1), "next": number + 1}.get(go, len(instruments) + 1)
    if target > len(instruments):
        return _review_page(v, 200, saved.answers, saved.crisis)
    return _page(v, target, saved.answers, saved.crisis, max(_saved_up_to(v), number))


def _routing() -> RoutingPolicy:
    """How a case this page opens is routed: the app's settings."""
    return policy_from_settings(current_settings())


def _saved_up_to(v: Visit) -> int:
    """The furthest page the teacher has saved (as read with the link)."""
    response = v.draft.response
    return response.pages_saved if response is not None else 0


def first_page(v: Visit) -> ResponseReturnValue:
    """The first questionnaire page, blank: the answer to the consent form."""
    return _page(v, 1, {}, crisis=False, saved_up_to=0)


def _page(
    v: Visit, number: int, answers: Mapping[str, int], crisis: bool, saved_up_to: int
) -> ResponseReturnValue:
    """A questionnaire page. One saved before shows each item still unanswered marked, in words
    and for screen readers (the review links to them), and offers the way back to the review."""
    instruments = page_instruments(v.wave.battery)
    instrument = instruments[number - 1]
    missing = [
        (n, item.id)
        for n, item in enumerate(instrument.items, start=1)
        if number <= saved_up_to and item.id not in answers
    ]
    return render(
        "page.html",
        v,
        page_url=url_for("teacher.page", token=v.token, number=number),
        number=number,
        total=len(instruments),
        instrument=instrument,
        items=items_html(instrument, answers, frozenset(item_id for _n, item_id in missing)),
        missing=missing,
        reviewed=saved_up_to >= len(instruments),
        crisis=crisis,
        shown=page_timing.shown_field(instrument.id, v.now),
    )


def items_html(
    instrument: Instrument, answers: Mapping[str, int], missing: frozenset[str] = frozenset()
) -> Markup:
    """The page's fieldsets, ``missing`` items marked. Unanswered and unmarked — the usual first
    visit — they hold nothing personal and are the same for every teacher: rendered once per
    process and language, not per request."""
    lang = current_lang()
    if missing or any(item.id in answers for item in instrument.items):
        return _render_items(instrument, lang, answers, missing)
    if current_app.jinja_env.auto_reload:
        return _render_items(instrument, lang, {})
    blank: dict[tuple[str, str], Markup] = current_app.extensions.setdefault(BLANK_ITEMS, {})
    html = blank.get((instrument.id, lang))
    if html is None:
        html = blank[(instrument.id, lang)] = _render_items(instrument, lang, {})
    return html


def _render_items(
    instrument: Instrument,
    lang: str,
    answers: Mapping[str, int],
    missing: frozenset[str] = frozenset(),
) -> Markup:
    page = render_template(
        "survey/_items.html", instrument=instrument, lang=lang, answers=answers, missing=missing
    )
    return Markup(page)  # noqa: S704  (autoescaped by Jinja)


def review(token: str) -> ResponseReturnValue:
    """Every page with what is still unanswered, then the submit button."""
    v = _answering(token)
    return _review_page(v, 200, stored_answers(v.draft.response), v.draft.crisis)


def _review_page(
    v: Visit, status: int, answers: Mapping[str, int], crisis: bool
) -> ResponseReturnValue:
    instruments = page_instruments(v.wave.battery)
    return render(
        "review.html",
        v,
        status=status,
        page_url=url_for("teacher.review", token=v.token),
        instruments=instruments,
        answers=answers,
        gaps=missing_items(answers, instruments),
        crisis=crisis,
    )


def submit(token: str) -> ResponseReturnValue:
    """Submit once; a replay (double click, refresh, resend) lands on the same receipt."""
    v = visit(token)
    require_unlocked(v)
    parse_fields(request.form, ())
    if v.invitation.status is not InvitationStatus.SUBMITTED:
        require_answering(v)
    # The submission writes the invitation and its draft as entities and locks what it writes
    # itself; both are read in one statement, so that they are seen at one moment.
    found = link.read_entities_with_draft(db_session(), token)
    if found is None:  # erased since the line above
        return problem("not_found", 404, v)
    invitation, draft = found
    try:
        submission.submit(
            db_session(), invitation, v.wave.battery, v.now, draft, routing=_routing()
        )
    except submission.Incomplete:  # refused before anything was written: the draft as read
        return _review_page(v, 400, stored_answers(draft.response), draft.crisis)
    commit_step()
    return redirect(url_for("teacher.done", token=token), 303)


def done(token: str) -> ResponseReturnValue:
    """The receipt; with the PIN, the feedback (help lines first after a safety answer)."""
    v = visit(token, with_draft=True)
    if v.invitation.status is not InvitationStatus.SUBMITTED:
        return redirect(url_for("teacher.landing", token=token))
    response, crisis = v.draft.response, v.draft.crisis
    if not v.unlocked or response is None:
        receipt = response.receipt if response else None  # not personal: shown without the PIN
        return render("landing.html", v, step="unlock", receipt=receipt,
                      next_url=url_for("teacher.unlock", token=token))  # fmt: skip
    require_unlocked(v)
    outreach = outreach_state(db_session(), response.id)
    return render(
        "done.html",
        v,
        receipt=response.receipt,
        level=response.risk_level.value if response.risk_level else "none",
        safety=response.risk_level is RiskLevel.CRISIS or crisis,
        can_ask=outreach is OutreachState.OFFERED,
        asked=outreach is not None and outreach is not OutreachState.OFFERED,
    )


def results(token: str) -> ResponseReturnValue:
    """The teacher's own scores, told kindly, and how each changed since last time."""
    v = visit(token, with_draft=True)
    require_unlocked(v)
    if v.invitation.status is not InvitationStatus.SUBMITTED:
        return redirect(url_for("teacher.landing", token=token))
    response = v.draft.response
    scores = response.scores if response else None  # opened once
    shown = results_for(v.wave.battery, scores, current_lang())
    changes = []
    if response is not None:
        earlier = earlier_documents(db_session(), response.id, earlier_waves(scores))
        changes = changes_for(v.wave.battery, scores, earlier)
    safety = v.draft.crisis
    out = model_choice.opted_out(v.invitation.id)
    return render("results.html", v, results=shown, changes=changes, safety=safety, model_out=out)


def talk(token: str) -> ResponseReturnValue:
    """ "I would like to talk to someone": the outreach becomes a case for a psychologist."""
    v = visit(token, write=True)
    require_unlocked(v)
    parse_fields(request.form, ())
    response = response_of(db_session(), v.invitation)
    if v.invitation.status is not InvitationStatus.SUBMITTED or response is None:
        raise FlowError()
    if response.risk_level is not RiskLevel.MODERATE:
        raise BadForm("not_offered")
    request_talk(db_session(), submitted_referral(response), v.now, routing=_routing())
    commit_step()
    return redirect(url_for("teacher.done", token=token), 303)


def withdraw(token: str) -> ResponseReturnValue:
    """Withdraw consent, after a clear confirmation of what it does."""
    v = visit(token, write=request.method == "POST")
    require_unlocked(v)
    if v.invitation.status not in (InvitationStatus.STARTED, InvitationStatus.SUBMITTED):
        raise FlowError()
    if request.method != "POST":
        return render("withdraw.html", v)
    if parse_fields(request.form, ("confirm",), digits=False)["confirm"] != "yes":
        return render("withdraw.html", v, status=400, unconfirmed=True)
    outcome = consent.withdraw(db_session(), v.entity, v.now)
    teacher_state.forget(v.invitation)
    commit_step()
    return render("withdrawn.html", v, kept_contact=outcome.kept_contact, just_now=True)
