"""Wave rules without a database: battery check, state machine, openings, local times."""

from __future__ import annotations

import datetime as dt

import pytest

from census.models import Wave, WaveState, WaveUnit
from org.models import School
from survey.waves.rules import (
    DEFAULT_BATTERY,
    NoSafetyItem,
    WaveError,
    apply_action,
    check_battery,
    due_state,
    to_local,
    to_utc,
    unit_opens_at,
    wave_accepts_answers,
)

KNOWN = DEFAULT_BATTERY
T0 = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def test_default_battery_is_the_six_scales_in_order() -> None:
    assert check_battery(list(DEFAULT_BATTERY), KNOWN, False) == (
        "phq9", "gad7", "who5", "k10", "pss10", "cbi",
    )  # fmt: skip


def test_battery_without_phq9_is_refused_without_confirmation() -> None:
    with pytest.raises(NoSafetyItem):
        check_battery(["gad7", "who5"], KNOWN, False)
    assert check_battery(["gad7", "who5"], KNOWN, True) == ("gad7", "who5")


@pytest.mark.parametrize("battery", [[], ["phq9", "phq9"], ["phq9", "bdi2"], ["  "]])
def test_empty_repeated_or_unknown_batteries_are_refused(battery: list[str]) -> None:
    with pytest.raises(WaveError):
        check_battery(battery, KNOWN, True)


@pytest.mark.parametrize(
    ("state", "action", "target"),
    [
        (WaveState.DRAFT, "schedule", WaveState.SCHEDULED),
        (WaveState.SCHEDULED, "unschedule", WaveState.DRAFT),
        (WaveState.SCHEDULED, "open", WaveState.OPEN),
        (WaveState.OPEN, "close", WaveState.CLOSED),
        (WaveState.CLOSED, "release", WaveState.RELEASED),
    ],
)
def test_allowed_transitions(state: WaveState, action: str, target: WaveState) -> None:
    assert apply_action(state, action) is target


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (WaveState.DRAFT, "open"),
        (WaveState.OPEN, "schedule"),
        (WaveState.CLOSED, "open"),
        (WaveState.RELEASED, "close"),
        (WaveState.OPEN, "release"),
        (WaveState.DRAFT, "explode"),
    ],
)
def test_other_transitions_are_refused(state: WaveState, action: str) -> None:
    with pytest.raises(WaveError):
        apply_action(state, action)


def test_the_clock_opens_then_closes_and_never_touches_drafts() -> None:
    closes = T0 + 14 * DAY
    assert due_state(WaveState.SCHEDULED, T0, closes, T0 - dt.timedelta(seconds=1)) is None
    assert due_state(WaveState.SCHEDULED, T0, closes, T0) is WaveState.OPEN
    assert due_state(WaveState.OPEN, T0, closes, closes - dt.timedelta(seconds=1)) is None
    assert due_state(WaveState.OPEN, T0, closes, closes) is WaveState.CLOSED
    assert due_state(WaveState.DRAFT, T0, closes, closes) is None
    assert due_state(WaveState.CLOSED, T0, closes, closes + DAY) is None


def _wave(state: WaveState, units: list[WaveUnit]) -> Wave:
    return Wave(name="w", battery=["phq9"], opens_at=T0, closes_at=T0 + 14 * DAY, state=state,
                units=units)  # fmt: skip


def test_a_district_can_open_later_than_the_wave() -> None:
    wave = _wave(
        WaveState.OPEN, [WaveUnit(district_id=1), WaveUnit(district_id=2, opens_at=T0 + 3 * DAY)]
    )
    east, west, other = (
        School(id=10, district_id=1),
        School(id=20, district_id=2),
        School(id=30, district_id=3),
    )
    assert unit_opens_at(wave, 20, 2) == T0 + 3 * DAY
    assert wave_accepts_answers(wave, east, T0 + DAY)
    assert not wave_accepts_answers(wave, west, T0 + DAY)
    assert wave_accepts_answers(wave, west, T0 + 3 * DAY)
    assert not wave_accepts_answers(wave, other, T0 + DAY)  # outside the population


@pytest.mark.parametrize(
    "state", [WaveState.DRAFT, WaveState.SCHEDULED, WaveState.CLOSED, WaveState.RELEASED]
)
def test_a_wave_that_is_not_open_accepts_nothing(state: WaveState) -> None:
    assert not wave_accepts_answers(
        _wave(state, [WaveUnit()]), School(id=1, district_id=1), T0 + DAY
    )


def test_an_open_wave_past_its_close_accepts_nothing_even_before_the_sweep() -> None:
    wave = _wave(WaveState.OPEN, [WaveUnit()])
    assert not wave_accepts_answers(wave, School(id=1, district_id=1), T0 + 14 * DAY)


def test_times_are_typed_in_shanghai_and_stored_in_utc() -> None:
    assert to_utc("2026-12-07 09:00", "Asia/Shanghai") == T0
    assert to_utc("2026-12-07T09:00", "Asia/Shanghai") == T0
    assert to_local(T0, "Asia/Shanghai") == "2026-12-07 09:00"
    with pytest.raises(WaveError):
        to_utc("7/12/2026", "Asia/Shanghai")
