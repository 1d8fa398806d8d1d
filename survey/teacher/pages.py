"""What every teacher page needs: the link behind the token (read by one of the readers of
``survey.teacher.link``), this browser's state, the wave's window, the commit of a step,
rendering in the teacher's language, and kind error pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Flask, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from census.models import Invitation
from config.current import current_settings
from db import utcnow
from db.current import request_session
from privacy.vault import key_ring
from survey.teacher import browser_state as teacher_state
from survey.teacher import link
from survey.teacher.consent import RETENTION_YEARS
from survey.teacher.feedback import HelpLine
from survey.teacher.flow import FlowError, Step, WaveNotOpen, minutes_to_answer, next_step
from survey.teacher.gate import Answer
from survey.teacher.gate_throttle import Guesser
from survey.teacher.i18n import current_lang
from survey.teacher.link import Draft, InvitationFacts, ResponseRow, WaveView
from survey.waves.rules import DEFAULT_BATTERY

_HELPLINES = "xinan.helplines"  # the app's help lines in app.extensions, read only here


@dataclass
class Visit:
    """One request's view of the teacher's link."""

    token: str
    # Plain values, or the entity when the view asked to write (``visit(token, write=True)``).
    invitation: InvitationFacts
    wave: WaveView
    now: dt.datetime
    confirmed: bool
    unlocked: bool
    takes_answers: bool
    # Read with the link when the view asked for it (``visit(token, with_draft=True)``).
    read_draft: Draft[ResponseRow] | None = None

    @property
    def draft(self) -> Draft[ResponseRow]:
        """The draft as read with the link."""
        if self.read_draft is None:
            raise RuntimeError("visit(token, with_draft=True) reads the draft")
        return self.read_draft

    @property
    def entity(self) -> Invitation:
        """The invitation as read for writing, locked."""
        if not isinstance(self.invitation, Invitation):
            raise RuntimeError("visit(token, write=True) reads the invitation for writing")
        return self.invitation

    @property
    def step(self) -> Step:
        """Where this teacher goes next."""
        return next_step(self.invitation, confirmed=self.confirmed, unlocked=self.unlocked)


def db_session() -> Session:
    """The request's database session."""
    return request_session()


def commit_step() -> None:
    """Commit a teacher step's writes before its page is drawn: the one commit rule of the
    teacher's steps.

    Every step that writes calls this once its service has answered and before it draws its
    page, whatever page that is and whatever its status: a wrong answer's count (``Answer``) is
    committed as surely as a right answer's result. A service refuses by raising before it
    writes, and the request then rolls back. SQLite's single write lock, shared by every
    teacher, is not held while a page is drawn.
    """
    db_session().commit()


def install_helplines(app: Flask, lines: tuple[HelpLine, ...]) -> None:
    """Make ``lines`` the help lines the teacher pages of ``app`` show."""
    app.extensions[_HELPLINES] = lines


def helplines() -> tuple[HelpLine, ...]:
    """The configured help lines."""
    lines: tuple[HelpLine, ...] = current_app.extensions[_HELPLINES]
    return lines


def visit(token: str, *, write: bool = False, with_draft: bool = False, gate: bool = True) -> Visit:
    """Read the link with the reader the view asks for (``survey.teacher.link``): ``lock`` to
    write, ``read_with_draft`` to show or save answers, ``read`` otherwise. An unknown token is
    a kind 404.

    Behind the ``gate`` (every page but the landing and the phone ending itself), a browser that
    has not given the phone ending is sent to give it — the same answer for every teacher of
    the wave, whatever their state, before anything else is looked at."""
    if write and with_draft:
        raise ValueError("a link read for writing is read without its draft")
    session = db_session()
    draft = None
    found: tuple[InvitationFacts, WaveView] | None
    if write:
        found = link.lock(session, token)
    elif with_draft:
        answering = link.read_with_draft(session, token)
        found = answering[:2] if answering is not None else None
        draft = answering[2] if answering is not None else None
    else:
        found = link.read(session, token)
    if found is None:
        abort(404)
    invitation, wave = found
    now = utcnow()
    v = Visit(
        token=token,
        invitation=invitation,
        wave=wave,
        now=now,
        confirmed=teacher_state.is_confirmed(invitation, now),
        unlocked=teacher_state.is_unlocked(invitation, now),
        takes_answers=wave.takes_answers(now),
        read_draft=draft,
    )
    if gate and v.step is Step.CONFIRM:
        abort(redirect(url_for("teacher.confirm", token=token)))
    return v


def guesser() -> Guesser:
    """Who is answering at the gate: this request's address, and the limits."""
    settings = current_settings()
    return Guesser.at(settings, key_ring(), request.remote_addr or "unknown")


def refused_answer(
    template: str, v: Visit, answer: Answer, **context: object
) -> ResponseReturnValue:
    """The gate's form again after a wrong answer, saying so (and whether this try locked the
    link), with the status of the form itself. The failure the service counted is committed
    first, as every step's writes are."""
    commit_step()
    wrong, locked = answer is Answer.WRONG, answer is Answer.LOCKED
    return render(template, v, 200, wrong=wrong, locked=locked, **context)


def require_answering(v: Visit) -> None:
    """Refuse steps that take answers while the wave is closed (or not yet open)."""
    if not v.takes_answers:
        raise WaveNotOpen()


def require_unlocked(v: Visit) -> None:
    """Personal pages need the PIN: send the teacher to enter it."""
    if not v.unlocked:
        abort(redirect(url_for("teacher.unlock", token=v.token)))
    teacher_state.refresh_unlocked(v.invitation, v.now)


def step_url(v: Visit) -> str:
    """The URL of the teacher's next step."""
    targets = {
        Step.CONFIRM: "teacher.confirm",
        Step.SET_PIN: "teacher.new_pin",
        Step.UNLOCK: "teacher.unlock",
        Step.CONSENT: "teacher.consent",
        Step.PAGES: "teacher.resume",
        Step.DONE: "teacher.done",
    }
    return url_for(targets.get(v.step, "teacher.landing"), token=v.token)


def render(
    template: str, v: Visit | None, status: int = 200, **context: object
) -> ResponseReturnValue:
    """A teacher page in the teacher's language."""
    return (
        render_template(
            f"survey/{template}",
            v=v,
            token=v.token if v else None,
            lang=current_lang(),
            helplines=helplines(),
            years=RETENTION_YEARS,
            minutes=minutes_to_answer(v.wave.battery if v else tuple(DEFAULT_BATTERY)),
            **context,
        ),
        status,
    )


def problem(reason: str, status: int, v: Visit | None = None) -> ResponseReturnValue:
    """A kind error page; never a stack trace, never anything personal."""
    return render("problem.html", v, status=status, reason=reason)


def flow_problem(error: FlowError, v: Visit | None) -> ResponseReturnValue:
    """The page for a refused step."""
    return problem(error.reason, error.status, v)
