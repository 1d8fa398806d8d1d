"""Reminder and escalation rules with a fake clock: pure functions, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from alerts.rules import (
    SHANGHAI,
    CaseClock,
    Deadline,
    EscalationPolicy,
    StepKind,
    crisis_deadlines,
    due_steps,
    escalation_at,
    high_deadlines,
    next_step_at,
)

MINUTE = dt.timedelta(minutes=1)
POLICY = EscalationPolicy()


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI).astimezone(dt.UTC)


def crisis(opened: dt.datetime, state: str = "new") -> CaseClock:
    d = crisis_deadlines(opened)
    return CaseClock("crisis", state, opened, d.acknowledge_due_at, d.contact_due_at)


def high(opened: dt.datetime, state: str = "new") -> CaseClock:
    d = high_deadlines(opened)
    return CaseClock("high", state, opened, None, d.contact_due_at)


def keys(case: CaseClock, now: dt.datetime) -> set[str]:
    return {s.key for s in due_steps(case, now, POLICY)}


def fired_by_minute_sweeps(
    case: CaseClock, start: dt.datetime, end: dt.datetime
) -> list[tuple[str, dt.datetime]]:
    """Every step a sweep each minute would do, each once (as the unique key makes it)."""
    seen: dict[str, dt.datetime] = {}
    now = start
    while now <= end:
        for step in due_steps(case, now, POLICY):
            assert step.due_at <= now, "a step fired before it was due"
            seen.setdefault(step.key, now)
        now += MINUTE
    return sorted(seen.items(), key=lambda kv: kv[1])


def test_crisis_reminder_comes_30_minutes_before_the_acknowledgement_deadline() -> None:
    case = crisis(local(7, 14))  # acknowledge by 16:00
    assert keys(case, local(7, 15, 29)) == set()
    assert keys(case, local(7, 15, 30)) == {"acknowledge.reminder.0"}
    step = due_steps(case, local(7, 15, 45), POLICY)[0]
    assert (step.deadline, step.kind, step.due_at) == (
        Deadline.ACKNOWLEDGE,
        StepKind.REMINDER,
        local(7, 15, 30),
    )


def test_escalation_fires_at_the_deadline_not_a_minute_before() -> None:
    case = crisis(local(7, 14))
    assert "acknowledge.escalation.0" not in keys(case, local(7, 15, 59))
    assert keys(case, local(7, 16)) == {"acknowledge.escalation.0"}


def test_crisis_escalation_repeats_every_hour_until_acknowledged() -> None:
    case = crisis(local(7, 14))
    fired = fired_by_minute_sweeps(case, local(7, 14), local(7, 19, 30))
    assert fired == [
        ("acknowledge.reminder.0", local(7, 15, 30)),
        ("acknowledge.escalation.0", local(7, 16)),
        ("acknowledge.escalation.1", local(7, 17)),
        ("acknowledge.escalation.2", local(7, 18)),
        ("acknowledge.escalation.3", local(7, 19)),
    ]
    assert next_step_at(case, local(7, 19, 30), POLICY) == local(7, 20)


def test_acknowledging_stops_the_acknowledgement_steps_and_leaves_the_contact_ones() -> None:
    opened = local(7, 14)
    acknowledged = crisis(opened, state="acknowledged")
    assert keys(acknowledged, local(7, 17)) == set()
    # Contact by local midnight: reminder at 23:30, escalation at 00:00, then hourly.
    assert next_step_at(acknowledged, local(7, 17), POLICY) == local(7, 23, 30)
    assert keys(acknowledged, local(8, 0)) == {"contact.escalation.0"}
    assert keys(acknowledged, local(8, 2, 10)) == {"contact.escalation.2"}


@pytest.mark.parametrize("state", ["contacted", "following_up", "referred", "closed"])
def test_nothing_fires_once_someone_has_acted(state: str) -> None:
    case = crisis(local(7, 14), state=state)
    for now in (local(7, 15, 30), local(7, 16), local(8, 0), local(9, 12)):
        assert due_steps(case, now, POLICY) == []
    assert next_step_at(case, local(7, 14), POLICY) is None


def test_contact_escalations_take_over_when_the_acknowledgement_is_still_missing() -> None:
    case = crisis(local(7, 14))
    assert keys(case, local(7, 23, 45)) == {"acknowledge.escalation.7", "contact.reminder.0"}
    # After midnight only the contact deadline escalates: one message an hour, not two.
    assert keys(case, local(8, 0, 5)) == {"contact.escalation.0"}


def test_a_late_sweep_fires_only_the_latest_repeat_and_skips_a_stale_reminder() -> None:
    case = crisis(local(7, 14))
    # The scheduler was down from 15:00 to 18:20: one escalation (the third), no reminder.
    assert keys(case, local(7, 18, 20)) == {"acknowledge.escalation.2"}
    assert next_step_at(case, local(7, 18, 20), POLICY) == local(7, 19)


def test_high_is_reminded_a_day_ahead_and_escalates_each_working_day() -> None:
    # Opened Monday 7 Dec: first contact by the end of Thursday 10 Dec (midnight into Friday).
    case = high(local(7, 10))
    assert case.contact_due_at == local(11, 0)
    fired = fired_by_minute_sweeps(case, local(10, 0) - MINUTE, local(15, 1))
    assert fired == [
        ("contact.reminder.0", local(10, 0)),
        ("contact.escalation.0", local(11, 0)),
        # Friday's escalation repeats after one working day: Monday, not Saturday.
        ("contact.escalation.1", local(14, 0)),
        ("contact.escalation.2", local(15, 0)),
    ]


def test_high_repeat_skips_the_weekend() -> None:
    case = high(local(7, 10))
    assert escalation_at(case, case.contact_due_at, 1, POLICY) == local(14, 0)


def test_a_deadline_nearer_than_the_lead_gets_no_reminder() -> None:
    opened = local(7, 14)
    case = CaseClock("crisis", "new", opened, opened + dt.timedelta(minutes=20), local(8, 0))
    assert "acknowledge.reminder.0" not in {
        k for k, _ in fired_by_minute_sweeps(case, opened, local(7, 15))
    }


def test_rules_refuse_a_naive_clock() -> None:
    with pytest.raises(ValueError):
        due_steps(crisis(local(7, 14)), dt.datetime(2026, 12, 7, 16), POLICY)
