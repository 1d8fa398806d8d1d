"""The follow-up tables protected together: no hidden count can be derived across them."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from alerts.models import OutreachState
from reports.casework import LEVELS as DEADLINE_LEVELS
from reports.deadlines import CaseClock, tally
from reports.followup import followup_tables
from reports.linked import LEVELS, OUTREACH_STATES, STATES, FollowupCounts, linked_tables
from reports.tables import Table
from tests.factories import make_school
from tests.reports.auditor import linked_ranges
from tests.reports.casework_audit import (
    ACK_DUE,
    CONTACT_DUE,
    PATHS,
    RELEASED,
    RawCase,
    events,
    insert_case,
    published,
    raw_counts,
    relations,
    with_outreach,
)
from tests.reports.support import released_wave

K = 5
REFERRALS = ("psychiatric_hospital", "psychological_clinic", None)
OUTCOMES = ("resolved", "in_care", "withdrawn", None)


Floor = tuple[dict[tuple[str, str, str], int], int]


def assert_jointly_safe(
    tables: list[Table],
    truth: dict[tuple[str, str, str], int],
    k: int,
    floors: list[Floor] | None = None,
) -> None:
    """Every shown count true and at least k; every hidden one k values wide across the tables
    (and the ``floors`` other tables of the release give: terms summing to at least a floor)."""
    shown = published(tables)
    equal, at_most = relations(shown)
    for relation in equal + at_most:  # each identity holds on the raw cases themselves
        total = sum(coef * truth.get(name, 0) for name, coef in relation.items())
        assert total == 0 if relation in equal else total <= 0, relation
    for terms, floor in floors or []:
        assert sum(coef * truth.get(name, 0) for name, coef in terms.items()) >= floor, terms
    for name, text in shown.items():
        if text.isdigit():
            assert int(text) == truth.get(name, 0) and int(text) >= k, (name, text)
    for name, (lo, hi) in linked_ranges(shown, equal, at_most, k, floors).items():
        assert lo <= truth.get(name, 0) <= hi, (name, lo, hi)
        assert hi - lo + 1 >= k, (name, lo, hi, shown)


# (level, path, acknowledged late, contacted late, how many): 20 crisis and 15 high cases.
POPULATION = [
    ("crisis", "new", False, False, 2), ("crisis", "new", True, False, 3),
    ("crisis", "acknowledged", False, False, 2), ("crisis", "acknowledged", True, False, 2),
    ("crisis", "contacted", True, False, 2), ("crisis", "following_up", False, True, 1),
    ("crisis", "closed_new", True, False, 2), ("crisis", "closed_new", False, False, 2),
    ("crisis", "closed_acknowledged", False, False, 1),
    ("crisis", "closed_contacted", True, False, 2), ("crisis", "closed_contacted", True, True, 1),
    ("high", "new", False, False, 1), ("high", "acknowledged", False, False, 3),
    ("high", "contacted", False, False, 2), ("high", "contacted", False, True, 1),
    ("high", "following_up", False, False, 3), ("high", "closed_new", False, False, 1),
    ("high", "closed_acknowledged", False, False, 1),
    ("high", "closed_contacted", False, True, 2), ("high", "closed_contacted", False, False, 1),
]  # fmt: skip


def test_not_yet_acknowledged_does_not_give_away_a_new_count_hidden_by_state(
    db_session: Session,
) -> None:
    # Protected one by one, the table by state hid the 5 new crisis cases ("x", to protect the
    # new column) while the deadline table showed 5 crisis cases not yet acknowledged: the same
    # cases, so the hidden cell was known exactly.
    cases = [RawCase(lv, path, ack, contact) for lv, path, ack, contact, n in POPULATION
             for _ in range(n)]  # fmt: skip
    wave = released_wave(db_session, {}, "L1")
    school = make_school(db_session, name="联动校", district="联动区")
    for case in cases:
        insert_case(db_session, wave.id, school, case)
    db_session.flush()
    assert_jointly_safe(followup_tables(db_session, wave, K, 15, RELEASED), raw_counts(cases), K)


def _clock(case: RawCase) -> CaseClock:
    ack = ACK_DUE if case.level == "crisis" else None
    return CaseClock(
        case.level, ack, CONTACT_DUE, tuple((at, s, d) for at, s, d, _r in events(case))
    )


def _counts(cases: list[RawCase], offered: int) -> FollowupCounts:
    """What the database queries of ``followup_tables`` count, counted here from the raw cases."""
    by_state = np.zeros((len(LEVELS), len(STATES)), np.int64)
    referral_cols = [*(r for r in REFERRALS if r), "未记录 Not recorded"]
    outcome_cols = [*(o for o in OUTCOMES if o), "未记录 Not recorded"]
    referrals = np.zeros((2, len(referral_cols)), np.int64)
    outcomes = np.zeros((2, len(outcome_cols)), np.int64)
    for c in cases:
        by_state[LEVELS.index(c.level), STATES.index(c.state)] += 1
        if c.level == "moderate":
            continue
        lv = DEADLINE_LEVELS.index(c.level)
        if c.path in ("referred", "closed_referred"):
            referrals[lv, referral_cols.index(c.referral) if c.referral else -1] += 1
        if c.state == "closed":
            outcomes[lv, outcome_cols.index(c.outcome) if c.outcome else -1] += 1
    taken = Counter(c.outreach for c in cases if c.outreach)
    outreach = [offered if s == OutreachState.OFFERED else taken[s] for s in OUTREACH_STATES]
    return FollowupCounts(
        by_state=by_state,
        deadlines=tally([_clock(c) for c in cases], DEADLINE_LEVELS, RELEASED),
        referral_cols=referral_cols,
        referrals=referrals,
        outcome_cols=outcome_cols,
        outcomes=outcomes,
        outreach=np.array(outreach, np.int64),
    )


raw_cases = st.builds(
    RawCase,
    level=st.sampled_from(LEVELS),
    path=st.sampled_from(PATHS),
    ack_late=st.booleans(),
    contact_late=st.booleans(),
    referral=st.sampled_from(REFERRALS),
    outcome=st.sampled_from(OUTCOMES),
    outreach=st.sampled_from(("requested", "taken_up", None)),
).map(
    # Every moderate case comes from an outreach; a crisis or high one may have been raised.
    lambda c: (
        c
        if c.level != "moderate" or c.outreach
        else RawCase(**{**c.__dict__, "outreach": "requested"})
    )
)


@settings(max_examples=60, deadline=None)
@given(
    cases=st.lists(raw_cases, max_size=45), offered=st.integers(0, 12), k=st.sampled_from([3, 5])
)
def test_no_hidden_follow_up_count_can_be_narrowed_below_k_across_tables(
    cases: list[RawCase], offered: int, k: int
) -> None:
    tables = linked_tables(_counts(cases, offered), k)
    assert_jointly_safe(list(tables.values()), with_outreach(cases, offered), k)
