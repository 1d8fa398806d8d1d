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
import enum
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


# --- Reminders and escalation (issue 6 item 5) -------------------------------------------------
#
# Each open case has up to two deadlines: acknowledge (crisis only) and first contact. Before a
# deadline the assignee gets one reminder; when it passes unmet the district supervisors get an
# escalation, repeated at an interval until someone acts. Every step has a key (deadline, kind,
# sequence number) that the database makes unique per case, so it happens exactly once. After a
# scheduler outage only the latest repeat of each escalation fires (one message saying "overdue by
# five hours", not five messages at once), and a reminder whose deadline has already passed gives
# way to the escalation.


class Deadline(enum.StrEnum):
    """Which deadline a step is about."""

    ACKNOWLEDGE = "acknowledge"
    CONTACT = "contact"


class StepKind(enum.StrEnum):
    """A reminder before the deadline, or an escalation once it has passed."""

    REMINDER = "reminder"
    ESCALATION = "escalation"


# States in which each deadline is still unmet: acting on the case (a state change) stops it.
UNMET_STATES = {
    Deadline.ACKNOWLEDGE: frozenset({"new"}),
    Deadline.CONTACT: frozenset({"new", "acknowledged"}),
}


@dataclass(frozen=True)
class CaseClock:
    """What the step rules read of a case: its level, state, opening and deadlines."""

    level: str
    state: str
    opened_at: dt.datetime
    acknowledge_due_at: dt.datetime | None
    contact_due_at: dt.datetime


@dataclass(frozen=True)
class Step:
    """One reminder or escalation of one deadline; ``key`` is unique per case."""

    deadline: Deadline
    kind: StepKind
    seq: int
    due_at: dt.datetime

    @property
    def key(self) -> str:
        """``deadline.kind.seq``, e.g. ``contact.escalation.2``."""
        return f"{self.deadline.value}.{self.kind.value}.{self.seq}"


@dataclass(frozen=True)
class EscalationPolicy:
    """Reminder lead times and escalation repeat intervals (configurable)."""

    crisis_reminder_lead: dt.timedelta = dt.timedelta(minutes=30)
    high_reminder_lead: dt.timedelta = dt.timedelta(hours=24)
    crisis_repeat: dt.timedelta = dt.timedelta(hours=1)
    high_repeat_working_days: int = 1
    timezone: ZoneInfo = SHANGHAI
    calendar: WorkCalendar = field(default_factory=WorkCalendar)


DEFAULT_ESCALATION = EscalationPolicy()


def is_met(deadline: Deadline, state: str) -> bool:
    """Whether someone has acted as ``deadline`` requires (closing meets every deadline)."""
    return state not in UNMET_STATES[deadline]


def _streams(case: CaseClock) -> list[tuple[Deadline, dt.datetime, dt.datetime | None]]:
    """(deadline, due, end of its escalations) for each unmet deadline of the case."""
    found: list[tuple[Deadline, dt.datetime, dt.datetime | None]] = []
    ack = case.acknowledge_due_at
    if ack is not None and not is_met(Deadline.ACKNOWLEDGE, case.state):
        # Once the contact deadline passes too, its escalations take over from these.
        found.append((Deadline.ACKNOWLEDGE, ack, case.contact_due_at))
    if not is_met(Deadline.CONTACT, case.state):
        found.append((Deadline.CONTACT, case.contact_due_at, None))
    return found


def _reminder_at(case: CaseClock, due: dt.datetime, policy: EscalationPolicy) -> dt.datetime | None:
    lead = policy.crisis_reminder_lead if case.level == "crisis" else policy.high_reminder_lead
    at = due - lead
    # A deadline closer than the lead leaves no time for a reminder: the new case is the news.
    return at if at >= case.opened_at else None


def escalation_at(
    case: CaseClock, due: dt.datetime, seq: int, policy: EscalationPolicy
) -> dt.datetime:
    """When escalation ``seq`` (0 at the deadline) of a deadline falls due."""
    if seq < 0:
        raise ValueError("seq must be at least 0")
    if case.level == "crisis":
        return due + seq * policy.crisis_repeat
    if seq == 0:
        return due
    local = due.astimezone(policy.timezone)
    day = add_working_days(local.date(), seq * policy.high_repeat_working_days, policy.calendar)
    return dt.datetime.combine(day, local.time(), tzinfo=policy.timezone).astimezone(dt.UTC)


def _latest_seq(
    case: CaseClock, due: dt.datetime, now: dt.datetime, policy: EscalationPolicy
) -> int:
    if case.level == "crisis":
        return int((now - due) / policy.crisis_repeat)
    seq = 0
    while escalation_at(case, due, seq + 1, policy) <= now:
        seq += 1
    return seq


def due_steps(
    case: CaseClock, now: dt.datetime, policy: EscalationPolicy = DEFAULT_ESCALATION
) -> list[Step]:
    """The steps that should have happened by ``now``: none early, the latest repeat only."""
    _require_aware(now)
    steps: list[Step] = []
    for deadline, due, end in _streams(case):
        remind = _reminder_at(case, due, policy)
        if remind is not None and remind <= now < due:
            steps.append(Step(deadline, StepKind.REMINDER, 0, remind))
        if due <= now and (end is None or now < end):
            seq = _latest_seq(case, due, now, policy)
            steps.append(
                Step(deadline, StepKind.ESCALATION, seq, escalation_at(case, due, seq, policy))
            )
    return steps


def next_step_at(
    case: CaseClock, now: dt.datetime, policy: EscalationPolicy = DEFAULT_ESCALATION
) -> dt.datetime | None:
    """The earliest moment after ``now`` when a step falls due, or None when none ever will."""
    _require_aware(now)
    times: list[dt.datetime] = []
    for _deadline, due, end in _streams(case):
        remind = _reminder_at(case, due, policy)
        if remind is not None and remind > now:
            times.append(remind)
        if due > now:
            times.append(due)
        else:
            following = escalation_at(case, due, _latest_seq(case, due, now, policy) + 1, policy)
            if end is None or following < end:
                times.append(following)
    return min(times) if times else None
