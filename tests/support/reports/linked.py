"""The linked follow-up tables audited together: a case population, the counts the database
queries would return for it, and the check that no hidden count can be derived across tables.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from alerts.models import OutreachState
from reports.casework import LEVELS as DEADLINE_LEVELS
from reports.deadlines import CaseClock, tally
from reports.linked import LEVELS, OUTREACH_STATES, STATES, FollowupCounts
from reports.tables import Table
from tests.support.reports.auditor import linked_ranges
from tests.support.reports.casework import (
    ACK_DUE,
    CONTACT_DUE,
    RELEASED,
    RawCase,
    events,
    published,
    relations,
)

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


def _clock(case: RawCase) -> CaseClock:
    ack = ACK_DUE if case.level == "crisis" else None
    return CaseClock(
        case.level, ack, CONTACT_DUE, tuple((at, s, d) for at, s, d, _r in events(case))
    )


def followup_counts(cases: list[RawCase], offered: int) -> FollowupCounts:
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
