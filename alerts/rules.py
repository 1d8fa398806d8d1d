"""Deadline rules for follow-up cases: pure functions, the clock is a parameter, no database.

Crisis (DESIGN.md): acknowledged within 2 hours and first contact the same day, around the
clock. "The same day" is the Asia/Shanghai calendar day the case opened. A case opened late at
night would otherwise leave minutes for the contact (opened 23:30, due 00:00), so the contact is
due at local midnight but never sooner than ``min_contact_window`` (default 4 hours: the 2-hour
acknowledgement plus 2 hours to reach the teacher) after opening; a case opened at 23:30 is due
at 03:30. The window is a setting, not a constant of care.

High: first contact within 3 working days — due at the end (local midnight) of the third working
day after the day the case opened. Working days are Monday to Friday, minus public holidays, plus
the make-up working days China schedules on weekends (调休); both lists are configuration.

The follow-up issue extends this module (overdue and escalation rules).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class WorkCalendar:
    """Which local dates are working days: Mon–Fri, minus holidays, plus make-up working days."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[dt.date] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day."""
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


@dataclass(frozen=True)
class DeadlinePolicy:
    """The configurable numbers behind the deadlines."""

    crisis_acknowledge: dt.timedelta = dt.timedelta(hours=2)
    min_contact_window: dt.timedelta = dt.timedelta(hours=4)
    high_working_days: int = 3
    timezone: ZoneInfo = SHANGHAI
    calendar: WorkCalendar = field(default_factory=WorkCalendar)


@dataclass(frozen=True)
class Deadlines:
    """When a case must be acknowledged (crisis only) and first contacted, in UTC."""

    acknowledge_due_at: dt.datetime | None
    contact_due_at: dt.datetime


DEFAULT_POLICY = DeadlinePolicy()


def _require_aware(moment: dt.datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("deadline rules need an aware datetime")


def end_of_local_day(moment: dt.datetime, tz: ZoneInfo = SHANGHAI) -> dt.datetime:
    """The next local midnight after ``moment`` (the end of its local calendar day), in UTC."""
    _require_aware(moment)
    local_day = moment.astimezone(tz).date()
    return _local_midnight(local_day + dt.timedelta(days=1), tz)


def _local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)


def crisis_deadlines(opened_at: dt.datetime, policy: DeadlinePolicy = DEFAULT_POLICY) -> Deadlines:
    """Acknowledge within 2 hours; first contact by local midnight, at least the minimum window."""
    _require_aware(opened_at)
    same_day = end_of_local_day(opened_at, policy.timezone)
    contact = max(same_day, (opened_at + policy.min_contact_window).astimezone(dt.UTC))
    return Deadlines(
        acknowledge_due_at=(opened_at + policy.crisis_acknowledge).astimezone(dt.UTC),
        contact_due_at=contact,
    )


def add_working_days(day: dt.date, count: int, calendar: WorkCalendar) -> dt.date:
    """The ``count``-th working day after ``day`` (``day`` itself does not count)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    found = 0
    current = day
    # A year of consecutive holidays would be a configuration error, not a calendar.
    for _ in range(count + 366):
        current += dt.timedelta(days=1)
        if calendar.is_working_day(current):
            found += 1
            if found == count:
                return current
    raise ValueError("the work calendar has no working days ahead")


def high_deadlines(opened_at: dt.datetime, policy: DeadlinePolicy = DEFAULT_POLICY) -> Deadlines:
    """First contact by the end of the third working day after the opening day."""
    _require_aware(opened_at)
    local_day = opened_at.astimezone(policy.timezone).date()
    last = add_working_days(local_day, policy.high_working_days, policy.calendar)
    return Deadlines(
        acknowledge_due_at=None,
        contact_due_at=_local_midnight(last + dt.timedelta(days=1), policy.timezone),
    )


def deadlines_for(
    level: str, opened_at: dt.datetime, policy: DeadlinePolicy = DEFAULT_POLICY
) -> Deadlines:
    """Deadlines of a case at ``level``: crisis rules for crisis, the working-day rule otherwise.

    A moderate outreach turned into a case (the teacher asked to talk) gets the high rule: a
    person within 3 working days.
    """
    if level == "crisis":
        return crisis_deadlines(opened_at, policy)
    return high_deadlines(opened_at, policy)
