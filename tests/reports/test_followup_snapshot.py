"""The follow-up tables count one snapshot as of the release time; a broken identity withholds."""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pytest
from sqlalchemy.orm import Session

from alerts.case_models import CaseEvent
from alerts.models import CaseState
from reports.followup import followup_tables
from reports.linked import linked_tables
from reports.render import WITHHELD
from reports.snapshot import Event, state_at
from reports.tables import Table
from tests.support.factories.org import make_school
from tests.support.factories.releases import released_wave
from tests.support.reports.casework import RELEASED, RawCase, insert_case, raw_counts
from tests.support.reports.linked import POPULATION, assert_jointly_safe, followup_counts

K = 5
MINUTE = dt.timedelta(minutes=1)
FOLLOWUP = ("随访个案", "期限", "转介", "结案结果", "关怀外联")


def _population() -> list[RawCase]:
    return [RawCase(lv, path, ack, contact) for lv, path, ack, contact, n in POPULATION
            for _ in range(n)]  # fmt: skip


def test_work_done_after_the_release_time_changes_no_follow_up_count(
    db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    # What a build running while psychologists work sees: a case opened after the release time,
    # and cases whose row already holds a later state than their events up to the release time.
    cases = _population()
    wave = released_wave(db_session, {}, "S1")
    school = make_school(db_session, name="快照校", district="快照区")
    for case in cases:
        insert_case(db_session, wave.id, school, case)
    late = insert_case(db_session, wave.id, school, RawCase("crisis", "new"))
    late.opened_at = RELEASED + MINUTE
    for case in (RawCase("high", "contacted"), RawCase("crisis", "new")):
        row = insert_case(db_session, wave.id, school, case)
        cases.append(case)  # as of the release time: contacted, new
        src = CaseState.CONTACTED if case.level == "high" else CaseState.NEW
        db_session.add(CaseEvent(case_id=row.id, at=RELEASED + MINUTE, action="x", from_state=src,
                                 to_state=CaseState.CLOSED, outcome="resolved"))  # fmt: skip
        row.state, row.outcome = CaseState.CLOSED, "resolved"
    db_session.flush()
    with caplog.at_level(logging.WARNING, logger="reports.linked"):
        tables = followup_tables(db_session, wave, K, 15, RELEASED)
    assert not caplog.records  # every identity held, nothing withheld
    assert tables[0].rows[-1][-1] == str(len(cases))
    assert_jointly_safe(tables, raw_counts(cases), K)


def test_state_follows_the_chain_of_events_logged_at_the_same_time() -> None:
    at = RELEASED - MINUTE
    # A caring contact and the closing it triggers (withdrawal) share one time, in any order.
    events = [Event(at, "contacted", "closed"), Event(at, "acknowledged", "contacted"),
              Event(at - MINUTE, "new", "acknowledged"), Event(at, "closed", "closed")]  # fmt: skip
    assert state_at(events) == "closed"
    assert state_at([]) == "new"


def _cells(tables: dict[str, Table]) -> list[str]:
    return [cell for t in tables.values() for row in t.rows for cell in row[1:]]


def test_an_identity_the_counts_break_withholds_every_linked_table_and_logs_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    counts = followup_counts(_population(), 0)
    # One crisis case "not yet acknowledged" that the table by state says left "new": the
    # identity breaks. Publishing without it would let a reader pin the hidden "new" cell.
    deadlines = dict(counts.deadlines)
    deadlines["crisis"] = [deadlines["crisis"][0] - 1, deadlines["crisis"][1],
                           deadlines["crisis"][2] + 1, *deadlines["crisis"][3:]]  # fmt: skip
    broken = type(counts)(**{**counts.__dict__, "deadlines": deadlines})
    with caplog.at_level(logging.WARNING, logger="reports.linked"):
        tables = linked_tables(broken, K)
    assert {c for c in _cells(tables) if c != "不适用 n/a"} == {WITHHELD, ""}
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith("reports.followup.relation_broken relations=[1] tables=")


# 11 cases: too few to protect together, so all is withheld (found by search, k = 5).
WITHHELD_POPULATION = [("crisis", "new", 3), ("crisis", "acknowledged", 1),
                       ("crisis", "contacted", 1), ("crisis", "closed_new", 1),
                       ("high", "acknowledged", 3), ("high", "closed_new", 2)]  # fmt: skip


def test_tables_that_cannot_be_protected_together_are_withheld_with_one_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cases = [RawCase(lv, path) for lv, path, n in WITHHELD_POPULATION for _ in range(n)]
    with caplog.at_level(logging.INFO, logger="reports.linked"):
        tables = linked_tables(followup_counts(cases, 0), K)
    assert {c for c in _cells(tables) if c != "不适用 n/a"} == {WITHHELD, ""}
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert message == (
        "reports.followup.withheld tables=['by_state', 'deadlines', 'outcomes', 'referrals',"
        " 'outreach']"
    )
    # The note says why "—" is shown: not one level's hidden case count, the whole tables.
    for name in ("deadlines", "outcomes"):
        assert "withheld as a whole" in (tables[name].note or "")
        assert "number of cases is not shown" not in (tables[name].note or "")
    assert not np.any([c.isdigit() for c in _cells(tables)])
