"""Follow-up in aggregate: deadlines met per level, escalations, referrals, all protected."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session

from alerts.case_models import CaseEvent
from alerts.escalation_models import CaseStep
from alerts.models import Case, CaseState
from alerts.rules import Deadline, StepKind
from reports.deadlines import (
    LATE,
    NOT_YET,
    ON_TIME,
    CaseClock,
    acknowledge_outcome,
    contact_outcome,
)
from reports.followup import followup_tables
from reports.tables import Table
from scoring.levels import RiskLevel
from tests.support.factories.org import make_school
from tests.support.factories.releases import CANARY, released_wave
from tests.support.reports.casework import RawCase, insert_case

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
ACK_DUE, CONTACT_DUE = T0 + dt.timedelta(hours=2), T0 + dt.timedelta(hours=4)
RELEASED = T0 + dt.timedelta(days=10)
K = 5
S = CaseState


def _clock(*events: tuple[dt.datetime, str, str]) -> CaseClock:
    return CaseClock("crisis", ACK_DUE, CONTACT_DUE, events)


def test_acknowledged_or_contacted_at_the_deadline_is_on_time_a_minute_after_is_late() -> None:
    minute = dt.timedelta(minutes=1)
    on_time = _clock((ACK_DUE, "new", "acknowledged"), (CONTACT_DUE, "acknowledged", "contacted"))
    late = _clock((ACK_DUE + minute, "new", "acknowledged"),
                  (CONTACT_DUE + minute, "acknowledged", "contacted"))  # fmt: skip
    assert (acknowledge_outcome(on_time, RELEASED), contact_outcome(on_time, RELEASED)) == (
        ON_TIME, ON_TIME)  # fmt: skip
    assert (acknowledge_outcome(late, RELEASED), contact_outcome(late, RELEASED)) == (LATE, LATE)
    # An event after the release time does not count; a failed attempt is no contact.
    after = _clock((RELEASED + minute, "new", "acknowledged"), (T0, "new", "new"))
    assert acknowledge_outcome(after, RELEASED) == NOT_YET
    assert contact_outcome(after, RELEASED) == NOT_YET
    # High cases have no acknowledge deadline.
    assert acknowledge_outcome(CaseClock("high", None, CONTACT_DUE, ()), RELEASED) is None


def _case(session: Session, wave_id: int, school: object, level: RiskLevel, state: CaseState,
          events: list[tuple[dt.timedelta, CaseState, CaseState, str | None]]) -> Case:  # fmt: skip
    case = Case(pseudonym=f"p{len(session.new)}x", school_id=school.id,  # type: ignore[attr-defined]
                district_id=school.district_id, wave_id=wave_id, level=level,  # type: ignore[attr-defined]
                state=state, opened_at=T0, contact_due_at=CONTACT_DUE,
                acknowledge_due_at=ACK_DUE if level is RiskLevel.CRISIS else None)  # fmt: skip
    case.reasons = f'["{CANARY}"]'
    session.add(case)
    session.flush()
    for offset, src, dst, referral in events:
        session.add(CaseEvent(case_id=case.id, at=T0 + offset, action="x", from_state=src,
                              to_state=dst, referral_type=referral))  # fmt: skip
    return case


def _tables(session: Session) -> dict[str, Table]:
    wave = released_wave(session, {}, "F1")
    school = make_school(session, name="随访校", district="随访区")
    h = dt.timedelta(hours=1)
    m = dt.timedelta(minutes=1)
    crisis = []
    for i in range(20):  # 10 on time (the tenth exactly at both deadlines), 6 late, 4 not yet
        on_time, late = i < 10, 10 <= i < 16
        ack = 2 * h if i == 9 else (h if on_time else 2 * h + m)
        contact = 4 * h if i == 9 else (3 * h if on_time else 5 * h)
        events: list[tuple[dt.timedelta, CaseState, CaseState, str | None]] = (
            []
            if not (on_time or late)
            else [(ack, S.NEW, S.ACKNOWLEDGED, None), (contact, S.ACKNOWLEDGED, S.CONTACTED, None)]
        )
        if i < 2:
            events.append((6 * h, S.CONTACTED, S.REFERRED, "psychiatric_hospital"))
        state = S.REFERRED if i < 2 else (S.CONTACTED if events else S.NEW)
        crisis.append(_case(session, wave.id, school, RiskLevel.CRISIS, state, events))
    # Enough other cases that the table by state can show the crisis total: with only a few,
    # protecting its columns of small counts hides every total (zero counts are hidden too).
    others = [("high", "new", 10), ("high", "contacted", 10), ("high", "referred", 10)]
    paths = ("new", "acknowledged", "contacted", "following_up", "referred", "closed_contacted")
    others += [("moderate", path, 10) for path in paths]
    for level, path, n in others:
        for _ in range(n):
            # Every moderate case comes from an outreach the teacher requested.
            outreach = "requested" if level == "moderate" else None
            raw = RawCase(level, path, referral="other_medical", outreach=outreach)
            insert_case(session, wave.id, school, raw)
    for n, case in enumerate(crisis[10:]):
        step = CaseStep(case_id=case.id, deadline=Deadline.ACKNOWLEDGE, kind=StepKind.ESCALATION,
                        seq=0, due_at=ACK_DUE, done_at=ACK_DUE + n * m)  # fmt: skip
        session.add(step)
    session.flush()
    tables = followup_tables(session, wave, K, 15, RELEASED)
    return {t.title.split(" ")[0]: t for t in tables}


def _by_column(table: Table) -> dict[str, dict[str, str]]:
    return {r[0]: dict(zip(table.columns, r, strict=True)) for r in table.rows}


def test_deadline_shares_count_cases_on_time_and_late(db_session: Session) -> None:
    tables = _tables(db_session)
    deadlines = tables["期限"]
    row = {r[0]: dict(zip(deadlines.columns, r, strict=True)) for r in deadlines.rows}
    crisis = row["crisis"]
    assert crisis["开案 Opened"] == "20"
    assert crisis["按时确认 Acknowledged on time"] == "10"
    assert crisis["按时确认率 Acknowledged on time %"] == "50.0%"
    assert crisis["按时首次联系 First contact on time"] == "10"
    assert crisis["按时联系率 Contacted on time %"] == "50.0%"
    # 6 late and 4 not yet: the 4 is a range, the 6 hidden with it (else 20 - 10 - 6 = 4).
    assert crisis["尚未确认 Not yet acknowledged"] == f"< {K}"
    assert crisis["逾期确认 Acknowledged late"] == "x"
    assert crisis["尚未联系 Not yet contacted"] == f"< {K}"
    # 30 high cases, 20 contacted on time and 10 not yet; high has no acknowledge deadline.
    assert row["high"]["开案 Opened"] == "30"
    assert row["high"]["按时首次联系 First contact on time"] == "20"
    assert row["high"]["按时联系率 Contacted on time %"] == "66.7%"
    assert row["high"]["按时确认 Acknowledged on time"] == "不适用 n/a"


def test_a_level_whose_case_count_is_hidden_shows_none_of_its_parts(db_session: Session) -> None:
    _tables(db_session)  # 110 cases of another wave, which must not count in this one
    tables = followup_tables(db_session, released_wave(db_session, {}, "F0"), K, 15, RELEASED)
    by_state = _by_column(tables[0])
    deadlines = _by_column(tables[1])
    for level in ("crisis", "high"):
        assert deadlines[level]["开案 Opened"] == by_state[level]["合计 Total"] == f"< {K}"
        assert deadlines[level]["按时首次联系 First contact on time"] == "—"


def test_small_counts_in_the_follow_up_tables_are_ranges_and_hold_no_canary(
    db_session: Session,
) -> None:
    tables = _tables(db_session)
    referrals = tables["转介"]
    assert f"< {K}" in referrals.rows[0]  # two referrals: a range, never "2"
    for title in ("期限", "升级", "转介", "结案结果", "随访个案"):
        for row in tables[title].rows:
            for cell in row[1:]:
                assert not (re.fullmatch(r"\d+", cell) and int(cell) < K), (title, row)
                assert CANARY not in cell
