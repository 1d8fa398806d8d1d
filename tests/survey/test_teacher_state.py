"""The browser's unlock state: the idle timer is refreshed without rewriting the cookie on
every page, and an unlock never lasts longer than ``UNLOCK_IDLE`` after the last refresh."""

from __future__ import annotations

import datetime as dt

from flask import Flask, session

from census.models import Invitation
from survey.teacher import browser_state as teacher_state

T0 = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)


def _app() -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"
    return app


def test_refreshing_within_a_minute_leaves_the_cookie_alone() -> None:
    invitation = Invitation(token_hash=bytes(32))
    with _app().test_request_context():
        teacher_state.mark_unlocked(invitation, T0)
        session.modified = False
        teacher_state.refresh_unlocked(invitation, T0 + dt.timedelta(seconds=59))
        assert not session.modified
        teacher_state.refresh_unlocked(invitation, T0 + dt.timedelta(seconds=60))
        assert session.modified


def test_an_unlock_ends_idle_minutes_after_the_last_refresh_at_the_latest() -> None:
    invitation = Invitation(token_hash=bytes(32))
    with _app().test_request_context():
        teacher_state.mark_unlocked(invitation, T0)
        last_page = T0 + dt.timedelta(seconds=30)
        teacher_state.refresh_unlocked(invitation, last_page)  # skipped: refreshed just now
        assert teacher_state.is_unlocked(invitation, T0 + teacher_state.UNLOCK_IDLE)
        later = last_page + teacher_state.UNLOCK_IDLE
        assert not teacher_state.is_unlocked(invitation, later)


def test_a_clock_step_backwards_refreshes() -> None:
    invitation = Invitation(token_hash=bytes(32))
    with _app().test_request_context():
        teacher_state.mark_unlocked(invitation, T0)
        teacher_state.refresh_unlocked(invitation, T0 - dt.timedelta(minutes=5))
        assert teacher_state.is_unlocked(invitation, T0 - dt.timedelta(minutes=5))
        assert teacher_state.is_unlocked(invitation, T0 + dt.timedelta(minutes=24))


def test_a_new_pin_ends_an_unlock_made_with_the_old_one() -> None:
    invitation = Invitation(token_hash=bytes(32), pin_set_at=T0 - dt.timedelta(days=2))
    with _app().test_request_context():
        teacher_state.mark_unlocked(invitation, T0)
        assert teacher_state.is_unlocked(invitation, T0)
        invitation.pin_set_at = T0 + dt.timedelta(microseconds=1)  # a new PIN, just set
        assert not teacher_state.is_unlocked(invitation, T0)
        teacher_state.mark_unlocked(invitation, T0)  # entered the new PIN
        assert teacher_state.is_unlocked(invitation, T0)
