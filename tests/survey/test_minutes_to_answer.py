"""The time a census takes, as the landing page, invitations and slips state it, follows the
wave's battery instead of a fixed "15 minutes"."""

from __future__ import annotations

import datetime as dt

from census.models import Wave
from config.settings import Settings
from instruments import instruments_by_id
from survey.invitations.messages import _text
from survey.teacher.flow import SECONDS_PER_ITEM, minutes_to_answer
from survey.waves.rules import DEFAULT_BATTERY


def test_the_default_battery_takes_about_fifteen_minutes() -> None:
    items = sum(len(instruments_by_id()[i].items) for i in DEFAULT_BATTERY)
    assert items == 60  # 9 + 7 + 5 + 10 + 10 + 19 (instruments.md)
    assert items * SECONDS_PER_ITEM == 15 * 60
    assert minutes_to_answer(DEFAULT_BATTERY) == 15


def test_shorter_batteries_promise_less_time_in_whole_five_minutes() -> None:
    assert minutes_to_answer(("phq9",)) == 5  # 9 items: never less than five
    assert minutes_to_answer(("phq9", "gad7")) == 5  # 16 items, 4 minutes
    assert minutes_to_answer(("k10", "pss10", "cbi")) == 10  # 39 items, 9¾ minutes


def test_the_invitation_states_the_time_of_its_own_battery(settings: Settings) -> None:
    opens = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    wave = Wave(name="短问卷", battery=["phq9", "gad7"], opens_at=opens,
                closes_at=opens + dt.timedelta(days=7))  # fmt: skip
    _subject, body = _text(settings, wave, "https://example.invalid/s/x", reminder=False)
    assert "约 5 分钟" in body
    assert "15 分钟" not in body
