"""The case state machine: pure, no database, the clock is a parameter.

new → acknowledged → contacted ⇄ following up (with the next contact date) → referred (to a type
of medical institution) → closed with an outcome. Closing is allowed from any open state; every
other move only as listed. Two actions leave the state alone and only add to the contact log: a
failed contact attempt (counted for "unreachable after 3 attempts") and a note.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import ClassVar

from alerts.models import CaseState
from scoring.levels import RiskLevel


class Action(enum.StrEnum):
    """What a psychologist does to a case."""

    ACKNOWLEDGE = "acknowledge"
    CONTACT = "contact"
    FOLLOW_UP = "follow_up"
    REFER = "refer"
    CLOSE = "close"
    ATTEMPT = "attempt"
    NOTE = "note"


S = CaseState
OPEN = frozenset({S.NEW, S.ACKNOWLEDGED, S.CONTACTED, S.FOLLOWING_UP, S.REFERRED})
NOT_YET_CONTACTED = frozenset({S.NEW, S.ACKNOWLEDGED})
# (state, action) → next state, for every move except closing (allowed from any open state).
MOVES: dict[tuple[CaseState, Action], CaseState] = {
    (S.NEW, Action.ACKNOWLEDGE): S.ACKNOWLEDGED,
    (S.ACKNOWLEDGED, Action.CONTACT): S.CONTACTED,
    (S.CONTACTED, Action.FOLLOW_UP): S.FOLLOWING_UP,
    (S.FOLLOWING_UP, Action.CONTACT): S.CONTACTED,
    (S.CONTACTED, Action.REFER): S.REFERRED,
    (S.FOLLOWING_UP, Action.REFER): S.REFERRED,
}
# Failed attempts make sense before the teacher is reached and between follow-up contacts.
ATTEMPT_STATES = frozenset({S.NEW, S.ACKNOWLEDGED, S.FOLLOWING_UP})
UNREACHABLE = "unreachable"
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class CaseOptions:
    """The configurable lists: outcomes, referral destinations, attempts before "unreachable"."""

    outcomes: tuple[str, ...] = (
        "resolved", "declined_contact", "in_care", UNREACHABLE, "left_school", WITHDRAWN,
    )  # fmt: skip
    referral_types: tuple[str, ...] = (
        "psychiatric_hospital", "general_hospital_psychiatry", "psychological_clinic",
        "community_health_centre", "other_medical",
    )  # fmt: skip
    unreachable_attempts: int = 3
    # Reaching the next contact date may not be set in the past or more than this far ahead.
    max_follow_up: dt.timedelta = field(default=dt.timedelta(days=90))


DEFAULT_OPTIONS = CaseOptions()


class IllegalTransition(ValueError):
    """A move the state machine does not allow; ``code`` keys the translated message."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "closed": "这个个案已关闭。 This case is closed.",
        "move": "当前状态不能执行此操作。 This step is not possible in the case's current state.",
        "outcome": "请选择结案结果。 Choose an outcome to close the case.",
        "referral": "请选择转介机构类型。 Choose the type of institution referred to.",
        "next_contact": "请填写下次联系日期（未来 90 天内）。 Give the next contact date "
        "(within the next 90 days).",
        "attempts": "记录足够次数的联系尝试后才能以“无法联系”结案。 Log the required number "
        "of contact attempts before closing as unreachable.",
    }

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(self.MESSAGES[code])


@dataclass(frozen=True)
class Step:
    """One requested move and its particulars (the clock comes in as ``now``)."""

    action: Action
    outcome: str | None = None
    referral: str | None = None
    next_contact_at: dt.datetime | None = None
    attempts_so_far: int = 0


def next_state(
    state: CaseState, step: Step, now: dt.datetime, options: CaseOptions = DEFAULT_OPTIONS
) -> CaseState:
    """The state after ``step``, or IllegalTransition saying why it is refused."""
    if state not in OPEN:
        raise IllegalTransition("closed")
    if step.action is Action.CLOSE:
        return _close(step, options)
    if step.action is Action.NOTE:
        return state
    if step.action is Action.ATTEMPT:
        if state not in ATTEMPT_STATES:
            raise IllegalTransition("move")
        return state
    target = MOVES.get((state, step.action))
    if target is None:
        raise IllegalTransition("move")
    if step.action is Action.FOLLOW_UP:
        _check_next_contact(step.next_contact_at, now, options)
    if step.action is Action.REFER and step.referral not in options.referral_types:
        raise IllegalTransition("referral")
    return target


def _close(step: Step, options: CaseOptions) -> CaseState:
    if step.outcome not in options.outcomes:
        raise IllegalTransition("outcome")
    if step.outcome == UNREACHABLE and step.attempts_so_far < options.unreachable_attempts:
        raise IllegalTransition("attempts")
    return S.CLOSED


def _check_next_contact(when: dt.datetime | None, now: dt.datetime, options: CaseOptions) -> None:
    if when is None or when.tzinfo is None or not now < when <= now + options.max_follow_up:
        raise IllegalTransition("next_contact")


def allowed_actions(state: CaseState, options: CaseOptions = DEFAULT_OPTIONS) -> tuple[Action, ...]:
    """The actions a case page offers in ``state`` (closing whenever the case is open)."""
    if state not in OPEN:
        return ()
    moves = [action for (source, action) in MOVES if source is state]
    if state in ATTEMPT_STATES:
        moves.append(Action.ATTEMPT)
    return (*moves, Action.NOTE, Action.CLOSE)


def withdrawal_keeps_contact(level: RiskLevel, state: CaseState) -> bool:
    """Whether a withdrawing teacher's case keeps one caring contact (PIPL art. 13(4))."""
    return level is RiskLevel.CRISIS and state in NOT_YET_CONTACTED


def closes_after_withdrawal(withdrew: bool, action: Action) -> bool:
    """Whether logging ``action`` on a withdrawn teacher's case closes it (the one contact made)."""
    return withdrew and action is Action.CONTACT


def due_at(
    state: CaseState,
    acknowledge_due_at: dt.datetime | None,
    contact_due_at: dt.datetime,
    next_contact_at: dt.datetime | None,
) -> dt.datetime | None:
    """The next deadline of a case in ``state``, or None when nothing is due."""
    if state is S.NEW and acknowledge_due_at is not None:
        return min(acknowledge_due_at, contact_due_at)
    if state in NOT_YET_CONTACTED:
        return contact_due_at
    if state is S.FOLLOWING_UP:
        return next_contact_at
    return None


def is_overdue(deadline: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a deadline has passed."""
    return deadline is not None and deadline <= now
