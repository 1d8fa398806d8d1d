"""Deadline rules with a fake clock: pure functions, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from alerts.rules import (
    SHANGHAI,
    DeadlinePolicy,
    WorkCalendar,
    add_working_days,
    crisis_deadlines,
    deadlines_for,
    high_deadlines,
)


def local(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_crisis_in_the_afternoon_is_acknowledged_in_two_hours_and_contacted_the_same_day() -> None:
    d = crisis_deadlines(local(2026, 12, 2, 14, 0))
    assert d.acknowledge_due_at == local(2026, 12, 2, 16, 0)
    assert d.contact_due_at == local(2026, 12, 3, 0, 0)
    assert d.contact_due_at.tzinfo is dt.UTC


def test_crisis_at_2330_gets_the_minimum_four_hour_contact_window() -> None:
    d = crisis_deadlines(local(2026, 12, 2, 23, 30))
    assert d.acknowledge_due_at == local(2026, 12, 3, 1, 30)
    assert d.contact_due_at == local(2026, 12, 3, 3, 30)


def test_the_same_day_is_the_shanghai_calendar_day_not_utc() -> None:
    # 17:00 UTC is 01:00 the next morning in Shanghai: the contact is due that local midnight.
    opened = dt.datetime(2026, 12, 2, 17, 0, tzinfo=dt.UTC)
    assert crisis_deadlines(opened).contact_due_at == local(2026, 12, 4, 0, 0)


def test_the_minimum_window_is_configurable() -> None:
    policy = DeadlinePolicy(min_contact_window=dt.timedelta(hours=1))
    assert crisis_deadlines(local(2026, 12, 2, 23, 30), policy).contact_due_at == local(
        2026, 12, 3, 0, 30
    )


def test_high_opened_on_a_friday_is_due_at_the_end_of_wednesday() -> None:
    d = high_deadlines(local(2026, 12, 4, 10, 0))  # a Friday
    assert d.acknowledge_due_at is None
    assert d.contact_due_at == local(2026, 12, 10, 0, 0)  # end of Wednesday 9 December


def test_high_across_a_holiday_skips_it() -> None:
    calendar = WorkCalendar(holidays=frozenset({dt.date(2026, 12, 7)}))  # the Monday
    d = high_deadlines(local(2026, 12, 4, 10, 0), DeadlinePolicy(calendar=calendar))
    assert d.contact_due_at == local(2026, 12, 11, 0, 0)  # Tue, Wed, Thu


def test_a_makeup_working_saturday_counts() -> None:
    calendar = WorkCalendar(makeup_workdays=frozenset({dt.date(2026, 12, 5)}))
    assert add_working_days(dt.date(2026, 12, 4), 3, calendar) == dt.date(2026, 12, 8)


def test_a_moderate_case_gets_the_working_day_rule() -> None:
    opened = local(2026, 12, 4, 10, 0)
    assert deadlines_for("moderate", opened) == high_deadlines(opened)
    assert deadlines_for("crisis", opened) == crisis_deadlines(opened)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        crisis_deadlines(dt.datetime(2026, 12, 2, 14, 0))


def test_a_calendar_without_working_days_is_an_error() -> None:
    never = WorkCalendar(
        holidays=frozenset(dt.date(2027, 1, 1) + dt.timedelta(days=i) for i in range(800))
    )
    with pytest.raises(ValueError):
        add_working_days(dt.date(2026, 12, 31), 3, never)
