"""The follow-up tables protected together: no hidden count can be derived across them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from reports.followup import followup_tables
from reports.linked import LEVELS, linked_tables
from tests.support.factories.org import make_school
from tests.support.factories.releases import released_wave
from tests.support.reports.casework import (
    PATHS,
    RELEASED,
    RawCase,
    insert_case,
    raw_counts,
    with_outreach,
)
from tests.support.reports.linked import (
    OUTCOMES,
    POPULATION,
    REFERRALS,
    assert_jointly_safe,
    followup_counts,
)

K = 5


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
    tables = linked_tables(followup_counts(cases, offered), k)
    assert_jointly_safe(list(tables.values()), with_outreach(cases, offered), k)
