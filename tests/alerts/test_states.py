"""The case state machine as a table of (state, action) → result, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from alerts.models import CaseState as S
from alerts.states import (
    Action,
    CaseOptions,
    IllegalTransition,
    Step,
    allowed_actions,
    closes_after_withdrawal,
    due_at,
    next_state,
    withdrawal_keeps_contact,
)
from scoring.levels import RiskLevel

NOW = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(days=7)
A = Action
OPEN = [S.NEW, S.ACKNOWLEDGED, S.CONTACTED, S.FOLLOWING_UP, S.REFERRED]

# Every (state, action) pair, with the particulars each action needs; None means refused.
TABLE: list[tuple[S, Step, S | None]] = [
    (S.NEW, Step(A.ACKNOWLEDGE), S.ACKNOWLEDGED),
    (S.NEW, Step(A.CONTACT), None),
    (S.NEW, Step(A.FOLLOW_UP, next_contact_at=LATER), None),
    (S.NEW, Step(A.REFER, referral="psychiatric_hospital"), None),
    (S.NEW, Step(A.ATTEMPT), S.NEW),
    (S.ACKNOWLEDGED, Step(A.ACKNOWLEDGE), None),
    (S.ACKNOWLEDGED, Step(A.CONTACT), S.CONTACTED),
    (S.ACKNOWLEDGED, Step(A.ATTEMPT), S.ACKNOWLEDGED),
    (S.ACKNOWLEDGED, Step(A.REFER, referral="psychiatric_hospital"), None),
    (S.CONTACTED, Step(A.FOLLOW_UP, next_contact_at=LATER), S.FOLLOWING_UP),
    (S.CONTACTED, Step(A.REFER, referral="psychiatric_hospital"), S.REFERRED),
    (S.CONTACTED, Step(A.CONTACT), None),
    (S.CONTACTED, Step(A.ACKNOWLEDGE), None),
    (S.CONTACTED, Step(A.ATTEMPT), None),
    (S.FOLLOWING_UP, Step(A.CONTACT), S.CONTACTED),
    (S.FOLLOWING_UP, Step(A.REFER, referral="general_hospital_psychiatry"), S.REFERRED),
    (S.FOLLOWING_UP, Step(A.ATTEMPT), S.FOLLOWING_UP),
    (S.FOLLOWING_UP, Step(A.FOLLOW_UP, next_contact_at=LATER), None),
    (S.REFERRED, Step(A.CONTACT), None),
    (S.REFERRED, Step(A.FOLLOW_UP, next_contact_at=LATER), None),
    (S.REFERRED, Step(A.ATTEMPT), None),
    *[(s, Step(A.NOTE), s) for s in OPEN],
    *[(s, Step(A.CLOSE, outcome="resolved"), S.CLOSED) for s in OPEN],
    *[(s, Step(A.CLOSE, outcome="withdrawn"), S.CLOSED) for s in OPEN],
    *[(S.CLOSED, Step(a, outcome="resolved"), None) for a in Action],
]


@pytest.mark.parametrize(("state", "step", "result"), TABLE)
def test_state_action_table(state: S, step: Step, result: S | None) -> None:
    if result is None:
        with pytest.raises(IllegalTransition):
            next_state(state, step, NOW)
    else:
        assert next_state(state, step, NOW) is result


@pytest.mark.parametrize("state", OPEN)
def test_closing_needs_a_known_outcome(state: S) -> None:
    for outcome in (None, "felt_better"):
        with pytest.raises(IllegalTransition) as refused:
            next_state(state, Step(A.CLOSE, outcome=outcome), NOW)
        assert refused.value.code == "outcome"


def test_unreachable_needs_the_configured_number_of_attempts() -> None:
    step = Step(A.CLOSE, outcome="unreachable", attempts_so_far=2)
    with pytest.raises(IllegalTransition, match="attempts"):
        next_state(S.ACKNOWLEDGED, step, NOW)
    assert next_state(S.ACKNOWLEDGED, Step(A.CLOSE, outcome="unreachable", attempts_so_far=3), NOW)
    assert next_state(S.NEW, step, NOW, CaseOptions(unreachable_attempts=2)) is S.CLOSED


@pytest.mark.parametrize(
    "when",
    [None, NOW - dt.timedelta(hours=1), NOW + dt.timedelta(days=91), LATER.replace(tzinfo=None)],
)
def test_following_up_needs_a_next_contact_date_ahead(when: dt.datetime | None) -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_state(S.CONTACTED, Step(A.FOLLOW_UP, next_contact_at=when), NOW)
    assert refused.value.code == "next_contact"


def test_referral_must_be_a_configured_institution_type() -> None:
    with pytest.raises(IllegalTransition, match="institution"):
        next_state(S.CONTACTED, Step(A.REFER, referral="fortune_teller"), NOW)
    options = CaseOptions(referral_types=("mental_health_centre",))
    step = Step(A.REFER, referral="mental_health_centre")
    assert next_state(S.CONTACTED, step, NOW, options) is S.REFERRED


def test_refusals_carry_both_languages() -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_state(S.NEW, Step(A.CONTACT), NOW)
    assert "当前状态" in str(refused.value) and "not possible" in str(refused.value)


def test_allowed_actions_match_the_table() -> None:
    assert allowed_actions(S.NEW) == (A.ACKNOWLEDGE, A.ATTEMPT, A.NOTE, A.CLOSE)
    assert set(allowed_actions(S.CONTACTED)) == {A.FOLLOW_UP, A.REFER, A.NOTE, A.CLOSE}
    assert allowed_actions(S.CLOSED) == ()


@pytest.mark.parametrize(
    ("level", "state", "keeps"),
    [
        (RiskLevel.CRISIS, S.NEW, True),
        (RiskLevel.CRISIS, S.ACKNOWLEDGED, True),
        (RiskLevel.CRISIS, S.CONTACTED, False),
        (RiskLevel.CRISIS, S.FOLLOWING_UP, False),
        (RiskLevel.HIGH, S.NEW, False),
        (RiskLevel.MODERATE, S.NEW, False),
    ],
)
def test_only_an_uncontacted_crisis_case_keeps_a_contact(
    level: RiskLevel, state: S, keeps: bool
) -> None:
    assert withdrawal_keeps_contact(level, state) is keeps


def test_the_kept_contact_closes_the_case_once_made() -> None:
    assert closes_after_withdrawal(True, A.CONTACT)
    assert not closes_after_withdrawal(True, A.ATTEMPT)
    assert not closes_after_withdrawal(False, A.CONTACT)


def test_deadline_follows_the_state() -> None:
    ack, contact = NOW + dt.timedelta(hours=2), NOW + dt.timedelta(hours=10)
    assert due_at(S.NEW, ack, contact, None) == ack
    assert due_at(S.ACKNOWLEDGED, ack, contact, None) == contact
    assert due_at(S.FOLLOWING_UP, ack, contact, LATER) == LATER
    assert due_at(S.REFERRED, ack, contact, None) is None
