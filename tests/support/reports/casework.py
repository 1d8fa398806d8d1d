"""Raw follow-up cases for the tests, and what their published tables must satisfy together.

A ``RawCase`` says where a case went (its path through the state machine) and when; from it
the tests write the case's events, count what each published cell should hold, and state the
identities that a reader knows hold between the tables. Each identity is checked on the raw
counts before the auditor uses it, so none is taken on trust from the code under test.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy.orm import Session

from alerts.case_models import CaseEvent
from alerts.models import Case, CaseState, Outreach, OutreachState
from census.models import InvitationStatus, Wave
from org.models import School
from reports.tables import Table
from scoring.levels import RiskLevel
from tests.support.factories.census import make_invitation, make_response
from tests.support.factories.org import make_teacher

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
ACK_DUE, CONTACT_DUE = T0 + dt.timedelta(hours=2), T0 + dt.timedelta(hours=4)
RELEASED = T0 + dt.timedelta(days=10)
LEVELS = ("crisis", "high", "moderate")
PATHS = ("new", "acknowledged", "contacted", "following_up", "referred", "closed_new",
         "closed_acknowledged", "closed_contacted", "closed_referred")  # fmt: skip
CONTACTED = {"contacted", "following_up", "referred", "closed_contacted", "closed_referred"}
REFERRED = {"referred", "closed_referred"}
# What the follow-up tables' titles start with, and the key the relations use for each.
KEYS = {"随访个案": "state", "期限": "deadlines", "转介": "referrals", "结案结果": "outcomes",
        "关怀外联": "outreach"}  # fmt: skip
Name = tuple[str, str, str]


@dataclass(frozen=True)
class RawCase:
    """One case: level, path, whether acknowledged or contacted late, referral and outcome."""

    level: str
    path: str
    ack_late: bool = False
    contact_late: bool = False
    referral: str | None = None
    outcome: str | None = None
    outreach: str | None = None  # "requested" or "taken_up": the case came from an outreach

    @property
    def state(self) -> str:
        """The state at release time."""
        return "closed" if self.path.startswith("closed") else self.path


def events(case: RawCase) -> list[tuple[dt.datetime, str, str, str | None]]:
    """The case's state changes as (time, from, to, referral type), in order."""
    h = dt.timedelta(hours=1)
    ack_at = T0 + (3 * h if case.ack_late else h)
    contact_at = T0 + (5 * h if case.contact_late else 3.5 * h)
    if case.path == "new":
        return []
    if case.path == "closed_new":
        return [(ack_at, "new", "closed", None)]
    out: list[tuple[dt.datetime, str, str, str | None]] = [(ack_at, "new", "acknowledged", None)]
    if case.path == "closed_acknowledged":
        out.append((T0 + 6 * h, "acknowledged", "closed", None))
    if case.path not in CONTACTED:
        return out
    out.append((contact_at, "acknowledged", "contacted", None))
    if case.path == "following_up":
        out.append((T0 + 6 * h, "contacted", "following_up", None))
    if case.path in REFERRED:
        out.append((T0 + 6 * h, "contacted", "referred", case.referral))
    if case.path == "closed_referred":
        out.append((T0 + 7 * h, "referred", "closed", None))
    if case.path == "closed_contacted":
        out.append((T0 + 6 * h, "contacted", "closed", None))
    return out


def english(label: str) -> str:
    """A bilingual label's English part ("合计 Total" → "Total"); plain labels as they are."""
    head, _, tail = label.partition(" ")
    return tail if tail and not head.isascii() else label


def published(tables: list[Table]) -> dict[Name, str]:
    """Every count the linked follow-up tables show, named (table, row, column)."""
    out = {}
    for table in tables:
        key = KEYS.get(table.title.split(" ")[0])
        if key is None:
            continue
        for row in table.rows:
            for header, text in zip(table.columns[1:], row[1:], strict=True):
                if header.endswith("%") or not (text.isdigit() or text[:1] in "<x—"):
                    continue
                out[(key, english(row[0]), english(header))] = text
    return out


def raw_counts(cases: list[RawCase]) -> dict[Name, int]:
    """What each published count should be, counted from the raw cases alone."""
    n: Counter[Name] = Counter()
    for c in cases:
        for row in (c.level, "Total"):
            for col in (c.state, "Total"):
                n[("state", row, col)] += 1
        if c.level == "moderate":
            continue
        n[("deadlines", c.level, "Opened")] += 1
        if c.level == "crisis":
            ack = "Not yet acknowledged" if c.path == "new" else (
                "Acknowledged late" if c.ack_late else "Acknowledged on time")  # fmt: skip
            n[("deadlines", c.level, ack)] += 1
        contact = "Not yet contacted" if c.path not in CONTACTED else (
            "First contact late" if c.contact_late else "First contact on time")  # fmt: skip
        n[("deadlines", c.level, contact)] += 1
        if c.path in REFERRED:
            kind = c.referral or "Not recorded"
            for row in (c.level, "Total"):
                for col in (kind, "Cases referred", "Total"):
                    n[("referrals", row, col)] += 1
        if c.state == "closed":
            n[("outcomes", c.level, c.outcome or "Not recorded")] += 1
            n[("outcomes", c.level, "Closed")] += 1
    return n


def with_outreach(cases: list[RawCase], offered: int) -> dict[Name, int]:
    """``raw_counts`` plus the outreach table: ``offered`` outreach nobody took up."""
    n = Counter(raw_counts(cases))
    taken = Counter(c.outreach for c in cases if c.outreach)
    for row in ("outreach", "Total"):
        n[("outreach", row, "offered")] += offered
        n[("outreach", row, "Total")] += offered + sum(taken.values())
        for state, count in taken.items():
            n[("outreach", row, str(state))] += count
    return n


def relations(
    shown: dict[Name, str],
) -> tuple[list[dict[Name, int]], list[dict[Name, int]]]:
    """What a reader knows ties the shown counts together: (equalities, inequalities ≤ 0)."""
    equal: list[dict[Name, int]] = []
    for key in ("state", "referrals", "outreach"):  # tables with a total row and column
        names = [n for n in shown if n[0] == key]
        rows, cols = {n[1] for n in names} - {"Total"}, {n[2] for n in names} - {"Total"}
        for r in rows:
            equal.append({**{(key, r, c): 1 for c in cols}, (key, r, "Total"): -1})
        for c in cols:
            equal.append({**{(key, r, c): 1 for r in rows}, (key, "Total", c): -1})
    parts = {
        "Acknowledged": ("Acknowledged on time", "Acknowledged late", "Not yet acknowledged"),
        "Contact": ("First contact on time", "First contact late", "Not yet contacted"),
    }
    at_most: list[dict[Name, int]] = []
    for lv in ("crisis", "high"):
        s, d = ("state", lv), ("deadlines", lv)
        kinds = ("Acknowledged", "Contact") if lv == "crisis" else ("Contact",)
        for kind in kinds:  # each deadline's partition of the level's cases
            equal.append({**{(*d, p): 1 for p in parts[kind]}, (*d, "Opened"): -1})
        closed = ("outcomes", lv, "Closed")
        outcomes = {n for n in shown if n[:2] == ("outcomes", lv) and n != closed}
        equal.append({**{n: 1 for n in outcomes}, closed: -1})
        ref = ("referrals", lv, "Total")
        equal += [{(*d, "Opened"): 1, (*s, "Total"): -1},
                  {("outcomes", lv, "Closed"): 1, (*s, "closed"): -1}]  # fmt: skip
        at_most += [
            # Cases neither new nor acknowledged have been contacted, unless closed first.
            {(*s, "new"): 1, (*s, "acknowledged"): 1, (*d, "Not yet contacted"): -1},
            # Referred now were referred; closed uncontacted and closed after referral are apart.
            {(*s, "referred"): 1, ref: -1},
            {(*d, "Not yet contacted"): 1, (*s, "new"): -1, (*s, "acknowledged"): -1, ref: 1,
             (*s, "referred"): -1, (*s, "closed"): -1},
        ]  # fmt: skip
    # Acknowledging is leaving "new": not yet acknowledged are exactly those still new.
    equal.append(
        {("deadlines", "crisis", "Not yet acknowledged"): 1, ("state", "crisis", "new"): -1}
    )
    with_case = {("outreach", "outreach", "requested"): 1, ("outreach", "outreach", "taken_up"): 1}
    at_most.append({("state", "moderate", "Total"): 1, **{n: -1 for n in with_case}})
    at_most.append({**with_case, ("state", "Total", "Total"): -1})
    keep = [r for r in equal if set(r) <= set(shown)]
    return keep, [r for r in at_most if set(r) <= set(shown)]


def insert_case(session: Session, wave_id: int, school: School, case: RawCase) -> Case:
    """Store ``case``, its events, and its outreach if it came from one (what the release reads)."""
    level = RiskLevel(case.level)
    row = Case(pseudonym=f"p{len(session.new)}q", school_id=school.id,
               district_id=school.district_id, wave_id=wave_id, level=level,
               state=CaseState(case.state), opened_at=T0, contact_due_at=CONTACT_DUE,
               acknowledge_due_at=ACK_DUE if level is RiskLevel.CRISIS else None,
               outcome=case.outcome if case.state == "closed" else None)  # fmt: skip
    session.add(row)
    session.flush()
    for at, src, dst, referral in events(case):
        outcome = case.outcome if dst == "closed" else None  # logged with the closing step
        session.add(CaseEvent(case_id=row.id, at=at, action="x", from_state=CaseState(src),
                              to_state=CaseState(dst), referral_type=referral,
                              outcome=outcome))  # fmt: skip
    if case.outreach:
        insert_outreach(session, wave_id, school, OutreachState(case.outreach), row)
    return row


def insert_outreach(
    session: Session, wave_id: int, school: School, state: OutreachState, case: Case | None
) -> Outreach:
    """An outreach offered at T0 (requested or taken up: with ``case``), on a bare response."""
    teacher, wave = make_teacher(session, school), session.get(Wave, wave_id)
    assert wave is not None
    invitation, _ = make_invitation(session, wave, teacher,
                                    status=InvitationStatus.SUBMITTED, consented_at=T0,
                                    submitted_at=T0)  # fmt: skip
    response = make_response(session, invitation=invitation, submitted_at=T0)
    outreach = Outreach(pseudonym=teacher.pseudonym, school_id=teacher.school_id,
                        district_id=school.district_id, wave_id=wave_id, response_id=response.id,
                        state=state, created_at=T0,
                        case_id=case.id if case is not None else None)  # fmt: skip
    session.add(outreach)
    session.flush()
    return outreach
