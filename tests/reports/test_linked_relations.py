"""One fixed population per identity of ``reports.linked``: without it, a hidden count leaks.

Each population was found by a search that removed the one identity from ``reports.linked`` and
audited the release; it goes through the real path (rows in the database, ``followup_tables``)
and the independent auditor, which states every identity itself
(``tests.support.reports.casework.relations``).
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from alerts.models import OutreachState
from reports.followup import followup_tables
from tests.support.factories.org import make_school
from tests.support.factories.releases import released_wave
from tests.support.reports.casework import (
    RELEASED,
    RawCase,
    insert_case,
    insert_outreach,
    with_outreach,
)
from tests.support.reports.linked import assert_jointly_safe

K = 5
C, H, M = "crisis", "high", "moderate"
PH, PC = "psychiatric_hospital", "psychological_clinic"
Row = tuple[str, str, bool, bool, str | None, str | None, str | None, int]

# (level, path, acknowledged late, contacted late, referral, outcome, outreach, how many).
# Without "moderate ≤ requested + taken up", the hidden moderate "new" is pinned.
MODERATE_AT_MOST_WITH_CASE: list[Row] = [
    (C, "acknowledged", True, True, None, "withdrawn", "taken_up", 1),
    (H, "following_up", True, True, PH, "in_care", None, 1),
    (H, "new", False, True, PC, None, None, 1),
    (M, "closed_new", False, True, None, "in_care", "requested", 1),
    (M, "closed_new", True, False, PC, "in_care", "taken_up", 1),
    (M, "closed_referred", False, False, PH, "resolved", "taken_up", 1),
    (M, "closed_referred", False, True, PC, None, "requested", 1),
    (M, "closed_referred", True, True, PC, "withdrawn", "requested", 1),
]
# Without high's "u + w ≤ closed", the hidden high "contacted" is narrowed below k.
HIGH_UNCONTACTED_AND_REFERRED_CLOSED: list[Row] = [
    (C, "closed_acknowledged", False, False, PC, None, "taken_up", 1),
    (C, "contacted", False, True, PC, "withdrawn", "taken_up", 1),
    (C, "contacted", False, True, None, "in_care", "taken_up", 1),
    (C, "following_up", True, False, None, "resolved", "requested", 1),
    (H, "acknowledged", False, True, PC, "in_care", "requested", 1),
    (H, "acknowledged", True, True, PH, "in_care", "requested", 1),
    (H, "closed_new", True, False, None, "resolved", "requested", 1),
    (H, "closed_new", True, False, None, None, "taken_up", 1),
    (H, "closed_referred", True, False, PC, "in_care", "requested", 1),
    (H, "closed_referred", True, False, PC, "resolved", None, 1),
    (H, "following_up", False, False, None, "resolved", "taken_up", 1),
    (H, "following_up", False, True, PC, "resolved", "requested", 1),
    (H, "following_up", False, True, PC, "resolved", "taken_up", 2),
    (H, "following_up", True, False, PC, None, "requested", 1),
    (H, "new", False, True, PH, None, "requested", 1),
    (H, "new", False, True, PC, "in_care", None, 1),
    (H, "new", True, False, PH, None, "taken_up", 1),
    (M, "closed_acknowledged", False, True, PC, None, "requested", 1),
    (M, "closed_contacted", True, True, None, None, "requested", 1),
    (M, "closed_new", True, False, None, "in_care", "taken_up", 1),
    (M, "contacted", True, True, PC, "resolved", "requested", 1),
    (M, "following_up", False, True, PC, "resolved", "requested", 1),
    (M, "following_up", True, False, PC, "in_care", "requested", 1),
    (M, "new", False, False, None, "resolved", "taken_up", 1),
    (M, "referred", True, True, PH, None, "taken_up", 1),
]

# Without high's "new + acknowledged ≤ not yet contacted", the hidden high "new" is pinned.
HIGH_NEW_ACKNOWLEDGED_NOT_CONTACTED: list[Row] = [
    (C, "following_up", False, False, PH, "withdrawn", "requested", 1),
    (C, "following_up", False, False, PC, "in_care", None, 1),
    (C, "following_up", True, False, PH, None, "taken_up", 1),
    (C, "following_up", True, False, None, "in_care", "taken_up", 1),
    (C, "new", True, False, PC, "in_care", "requested", 1),
    (H, "acknowledged", False, False, PH, "resolved", "taken_up", 1),
    (H, "acknowledged", False, False, PH, None, "taken_up", 1),
    (H, "acknowledged", True, False, PH, "resolved", "taken_up", 1),
    (H, "acknowledged", True, True, PH, "in_care", "requested", 1),
    (H, "acknowledged", True, True, PC, None, None, 1),
    (H, "closed_contacted", False, False, None, "resolved", "requested", 1),
    (H, "closed_contacted", True, False, PH, "in_care", None, 1),
    (H, "closed_referred", False, True, PH, "in_care", None, 1),
    (H, "closed_referred", False, True, PH, None, None, 1),
    (H, "closed_referred", False, True, PC, "resolved", None, 1),
    (H, "contacted", False, False, None, None, "taken_up", 1),
    (H, "following_up", False, False, PC, None, "requested", 1),
    (H, "referred", False, True, PH, None, "taken_up", 1),
    (H, "referred", True, False, PH, "resolved", "requested", 1),
    (M, "closed_new", False, True, PC, "withdrawn", "taken_up", 1),
    (M, "closed_referred", False, False, None, None, "requested", 1),
    (M, "closed_referred", True, False, PC, "in_care", "requested", 1),
    (M, "following_up", True, True, PH, "withdrawn", "requested", 1),
]


@pytest.mark.parametrize(
    ("population", "offered"),
    [
        pytest.param(MODERATE_AT_MOST_WITH_CASE, 7, id="moderate-at-most-requested-taken-up"),
        pytest.param(HIGH_UNCONTACTED_AND_REFERRED_CLOSED, 11, id="high-u-plus-w-at-most-closed"),
        pytest.param(
            HIGH_NEW_ACKNOWLEDGED_NOT_CONTACTED, 4, id="high-new-ack-at-most-not-contacted"
        ),
    ],
)
def test_each_identity_between_the_follow_up_tables_is_kept_in_their_protection(
    db_session: Session, population: list[Row], offered: int
) -> None:
    cases = [RawCase(*row[:7]) for row in population for _ in range(row[7])]
    wave = released_wave(db_session, {}, "R1")
    school = make_school(db_session, name="关系校", district="关系区")
    for case in cases:
        insert_case(db_session, wave.id, school, case)
    for _ in range(offered):
        insert_outreach(db_session, wave.id, school, OutreachState.OFFERED, None)
    db_session.flush()
    tables = followup_tables(db_session, wave, K, 15, RELEASED)
    assert_jointly_safe(tables, with_outreach(cases, offered), K)
