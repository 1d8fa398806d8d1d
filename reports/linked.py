"""The follow-up tables that share counts, protected as one problem (pure, no database).

Per level L (crisis, high), with the cases of the wave opened by release time, in their state
then, and their events up to it, all from one read (``reports.snapshot``: the state is derived
from the events, so the two agree by construction), these identities hold:

* Opened: each deadline partition's total is the by-state row total of L (the same number).
* Not yet acknowledged (crisis) = by-state ``new``: a case is acknowledged by the first event out
  of ``new``, closing from ``new`` included, so exactly the cases still in ``new`` are not.
* Not yet contacted = ``new`` + ``acknowledged`` + u, where u ≥ 0 counts closed cases never
  contacted (closed from ``new`` or ``acknowledged``); every later state needs a first contact.
* Referred (the referral table's row total, cases ever referred) = ``referred`` + w, where
  w ≥ 0 counts closed cases that had been referred (a referred case can only close).
* u + w ≤ ``closed``: a referred case had been contacted, so the two groups are apart.
* The outcomes of L sum to ``closed`` of L (a partition of the same cases).
* Outreach: every moderate case is an outreach requested or taken up, and each of those has a
  case (moderate, or later raised to high or crisis), so moderate total ≤ requested + taken up ≤
  all cases.

The band tables of the same release add two floors (``reports.floors``), inequalities with a
constant. Under the configured risk policy (``scoring.default_policy``, as at submission) a
respondent whose score on a scale lies in a band entirely inside a score rule of level high or
above (by default PHQ-9 bands 15–19 and 20–27 inside "total ≥ 15", GAD-7 15–21 inside "≥ 15",
K10 30–50 inside "≥ 30") got a case of level high or crisis when submitting; cases are never
deleted (withdrawal closes them) and a level only rises, so every such case is still in the
crisis or high row. One teacher has one case per wave whatever the number of rules that fired,
so the floor is a maximum over scales, not a sum:

* crisis total + high total ≥ F_high = max over those scales of the least count of the city's
  respondents in those bands that the scale's published band tables allow;
* crisis total + high total + outreach total ≥ F_moderate, the same over bands inside a rule
  of level moderate or above (PHQ-9 10–14 and up, GAD-7 10–14 and up, K10 22–29 and up, WHO-5
  percentage 0–28): a moderate respondent was offered an outreach (one that became a moderate
  case is an outreach requested or taken up, still in the outreach table), a worse one got a
  case. Bands that straddle a rule's edge, rules on an item (PHQ-9 item 9) or a flag (reliable
  change) give nothing a reader could count from a band table, and are left out.

"Least count" is the reader's best: shown counts exactly, "< k" from 0, "x" from k, every
dimension table's sums sharing the city row, and each shown mean to ±0.05 against the bands'
score ranges, by linear programming, rounded up. Percentages are shown only beside their count.
A floor above the true count means the cases do not follow the policy (rows written outside
submission, or a policy changed since): it is logged and lowered to the true count, which a
reader holding the higher floor can only misjudge, never learn from.

With u and w eliminated, these are the equalities and inequalities below, given to one
``protect_linked`` together with every table's own sums. One that does not hold is a bug: it is
logged and the tables are withheld, never published without it. Escalations count steps (any
number per case), and the psychologists' load spans all waves, so neither is linked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from alerts.models import CaseState, OutreachState
from reports.disclosure import Protected, protect
from reports.disclosure_linked import Cell, Relation, protect_linked, withheld
from reports.floors import CaseFloors
from reports.render import WITHHELD, pct_text
from reports.tables import Table, count_texts

LEVELS = ["crisis", "high", "moderate"]
STATES = [s.value for s in CaseState]
OUTREACH_STATES = [s.value for s in OutreachState]
TOTAL = "合计 Total"
# A level to which a column does not apply (high has no acknowledge deadline).
NOT_APPLICABLE = "不适用 n/a"
# The tables, in the order given to ``protect_linked``.
BY_STATE, ACK, CONTACT, OUTCOME, REFERRAL, OUTREACH = 0, 1, 2, 4, 6, 7
TABLE_NAMES = ["by_state", "deadlines", "outcomes", "referrals", "outreach"]
log = logging.getLogger(__name__)
# When the follow-up tables are withheld as a whole, "—" says nothing about any one level.
WHOLE_NOTE = ("“—”：随访表格整体未发布，因其计数无法共同得到保护。 “—”: the follow-up tables are"
              " withheld as a whole: their counts could not be protected together.")  # fmt: skip


@dataclass(frozen=True)
class FollowupCounts:
    """What the follow-up tables count, as read at release time."""

    by_state: NDArray[np.int64]  # LEVELS × STATES
    deadlines: dict[str, list[int]]  # crisis, high: ack on time, late, not yet, contact ...
    referral_cols: list[str]
    referrals: NDArray[np.int64]  # crisis, high × referral_cols
    outcome_cols: list[str]
    outcomes: NDArray[np.int64]  # crisis, high × outcome_cols
    outreach: NDArray[np.int64]  # one count per OUTREACH_STATES


def _margins(body: NDArray[np.int64]) -> NDArray[np.int64]:
    full = np.zeros((body.shape[0] + 1, body.shape[1] + 1), np.int64)
    full[:-1, :-1], full[:-1, -1] = body, body.sum(axis=1)
    full[-1] = full[:-1].sum(axis=0)
    return full


def _row(counts: list[int] | NDArray[np.int64]) -> NDArray[np.int64]:
    """One row as a table with margins (its total row repeats it), as ``protect`` expects."""
    return _margins(np.asarray([counts], np.int64))


def _floor_relations(floors: CaseFloors) -> list[Relation]:
    """The band tables' floors (module docstring) as inequalities with a constant."""
    cases = (((BY_STATE, 0, -1), -1.0), ((BY_STATE, 1, -1), -1.0))
    out = []
    if floors.high:
        out.append(Relation(cases, equal=False, constant=float(floors.high)))
    if floors.moderate:
        with_outreach = (*cases, ((OUTREACH, 0, -1), -1.0))
        out.append(Relation(with_outreach, equal=False, constant=float(floors.moderate)))
    return out


def _true_floors(floors: CaseFloors, tables: list[NDArray[np.int64]]) -> CaseFloors:
    """``floors``, each lowered to the true count it bounds if above it (logged)."""
    cases = int(tables[BY_STATE][0, -1] + tables[BY_STATE][1, -1])
    with_outreach = cases + int(tables[OUTREACH][0, -1])
    above = [name for name, floor, count in (("high", floors.high, cases),
             ("moderate", floors.moderate, with_outreach)) if floor > count]  # fmt: skip
    if above:
        # Which floors, never the counts: a log line must not carry what the report hides.
        log.warning("reports.followup.floor_above_count floors=%s", above)
    return CaseFloors(min(floors.high, cases), min(floors.moderate, with_outreach))


def _relations() -> list[Relation]:
    """The identities of the module docstring as relations between cells of the linked tables."""
    new, ack, ref, closed = (STATES.index(s) for s in ("new", "acknowledged", "referred", "closed"))
    total = len(STATES)
    ref_total = -1  # the referral table's row total, by type or alone

    def rel(*terms: tuple[Cell, float], equal: bool = True) -> Relation:
        return Relation(tuple(terms), equal)

    out = [rel(((ACK, 0, -1), 1), ((BY_STATE, 0, total), -1)),
           rel(((ACK, 0, 2), 1), ((BY_STATE, 0, new), -1))]  # fmt: skip
    for lv in (0, 1):
        contact, outcome = CONTACT + lv, OUTCOME + lv
        out += [
            rel(((contact, 0, -1), 1), ((BY_STATE, lv, total), -1)),
            rel(((outcome, 0, -1), 1), ((BY_STATE, lv, closed), -1)),
            # new + acknowledged ≤ not yet contacted; referred now ≤ ever referred.
            rel(((BY_STATE, lv, new), 1), ((BY_STATE, lv, ack), 1), ((contact, 0, 2), -1),
                equal=False),
            rel(((BY_STATE, lv, ref), 1), ((REFERRAL, lv, ref_total), -1), equal=False),
            # u + w ≤ closed.
            rel(((contact, 0, 2), 1), ((BY_STATE, lv, new), -1), ((BY_STATE, lv, ack), -1),
                ((REFERRAL, lv, ref_total), 1), ((BY_STATE, lv, ref), -1),
                ((BY_STATE, lv, closed), -1), equal=False),
        ]  # fmt: skip
    with_case = [((OUTREACH, 0, OUTREACH_STATES.index(s)), -1.0) for s in ("requested", "taken_up")]
    out.append(rel(((BY_STATE, 2, total), 1), *with_case, equal=False))
    out.append(rel(((BY_STATE, 3, total), -1), *((c, 1.0) for c, _ in with_case), equal=False))
    return out


def protect_followup(
    counts: FollowupCounts, k: int, referral_by_type: bool = True, floors: CaseFloors | None = None
) -> tuple[list[NDArray[np.int64]], list[Protected]]:
    """All linked follow-up tables with margins, and their joint protection."""
    referrals = counts.referrals if referral_by_type else counts.referrals.sum(1, keepdims=True)
    tables = [_margins(counts.by_state), _row(counts.deadlines["crisis"][:3])]
    tables += [_row(counts.deadlines[lv][3:]) for lv in ("crisis", "high")]
    tables += [_row(counts.outcomes[i]) for i in (0, 1)]
    tables += [_margins(referrals), _row(counts.outreach)]
    relations = _relations()
    broken = [i for i, r in enumerate(relations) if not _holds(r, tables)]
    if broken:
        # The counts come from one read (``reports.snapshot``), so a broken identity is a bug or
        # a case changed outside the state machine. Dropping the identity would publish tables
        # a reader could still combine with it; withhold them all instead.
        log.error("reports.followup.relation_broken relations=%s tables=%s", broken, TABLE_NAMES)
        return tables, withheld(tables)
    relations += _floor_relations(_true_floors(floors or CaseFloors(), tables))
    results = protect_linked(tables, k, relations)
    if results[0].withheld:
        log.warning("reports.followup.withheld tables=%s", TABLE_NAMES)
    return tables, results


def _holds(relation: Relation, tables: list[NDArray[np.int64]]) -> bool:
    total = relation.value(tables)
    return total == 0 if relation.equal else total <= 0


def share_text(texts: list[str], part: int, k: int) -> str:
    """``texts[part]`` over the row's total (last cell) as a coded share, only if both shown."""
    head, total = texts[part], texts[-1]
    if not (head.isdigit() and total.isdigit()) or int(total) < k:
        return ""
    return pct_text(int(head) / int(total))


def linked_tables(
    counts: FollowupCounts, k: int, floors: CaseFloors | None = None
) -> dict[str, Table]:
    """The by-state, deadline, referral, outcome and outreach tables, protected together (and
    with the floors the release's band tables put under them)."""
    # Where the referrals by type, protected alone, would hide every count, by type says
    # nothing: publish the number referred per level alone (decided cheaply, before the joint
    # protection, which can only hide more).
    referral_by_type = not protect(_margins(counts.referrals), k).hidden[:-1, :-1].all()
    tables, results = protect_followup(counts, k, referral_by_type, floors)
    texts = [count_texts(full, result, k) for full, result in zip(tables, results, strict=True)]
    by_state = texts[BY_STATE]
    names = [*LEVELS, TOTAL]
    out = {"by_state": Table("随访个案 Cases by level and state", ["", *STATES, TOTAL],
                             [[names[i], *row] for i, row in enumerate(by_state)])}  # fmt: skip
    # A level whose number of cases is hidden shows none of its parts: less than the joint
    # protection would allow, and simpler to read.
    opened = {lv: by_state[i][-1].isdigit() for i, lv in enumerate(LEVELS)}
    whole = results[BY_STATE].withheld
    out["deadlines"] = _deadline_table(texts, opened, k, whole)
    out["outcomes"] = _outcome_table(counts.outcome_cols, texts, by_state, whole)
    ref_cols = counts.referral_cols if referral_by_type else ["转介个案 Cases referred"]
    title = "转介 Referrals, per level" + (" and type" if referral_by_type else "")
    ref_rows = [
        [name, *row] for name, row in zip(("crisis", "high", TOTAL), texts[REFERRAL], strict=True)
    ]
    out["referrals"] = Table(title, ["", *ref_cols, TOTAL], ref_rows)
    outreach = [["outreach", *texts[OUTREACH][0]], [TOTAL, *texts[OUTREACH][1]]]
    title = "关怀外联 Outreach (moderate) by state"
    out["outreach"] = Table(title, ["", *OUTREACH_STATES, TOTAL], outreach)
    return out


def _withheld(row: list[str], shown: bool) -> list[str]:
    return row if shown else [WITHHELD] * (len(row) - 1) + [row[-1]]


def _deadline_table(
    texts: list[list[list[str]]], opened: dict[str, bool], k: int, whole: bool
) -> Table:
    rows = []
    for i, level in enumerate(("crisis", "high")):
        contact = _withheld(texts[CONTACT + i][0], opened[level])
        if level == "crisis":
            ack = _withheld(texts[ACK][0], opened[level])
            ack_cells = [*ack[:3], share_text(ack, 0, k)]
        else:
            ack_cells = [NOT_APPLICABLE] * 4
        rows.append([level, contact[-1], *ack_cells, *contact[:3], share_text(contact, 0, k)])
    columns = ["", "开案 Opened",
               "按时确认 Acknowledged on time", "逾期确认 Acknowledged late",
               "尚未确认 Not yet acknowledged", "按时确认率 Acknowledged on time %",
               "按时首次联系 First contact on time", "逾期首次联系 First contact late",
               "尚未联系 Not yet contacted", "按时联系率 Contacted on time %"]  # fmt: skip
    note = ("确认期限仅适用于危机个案；占比仅在分子与分母均公开且分母至少为 k 时给出。"
            " Only crisis cases have an acknowledge deadline; a share is given only where its"
            " count and its denominator are shown and the denominator is at least k. "
            + (WHOLE_NOTE if whole else "“—”: the level's number of cases is not shown, so"
               " neither are its parts."))  # fmt: skip
    return Table("期限 Deadlines met, per level", columns, rows, note, "deadlines")


def _outcome_table(
    cols: list[str], texts: list[list[list[str]]], by_state: list[list[str]], whole: bool
) -> Table:
    closed = STATES.index("closed")
    rows = [[lv, *_withheld(texts[OUTCOME + i][0], by_state[i][closed].isdigit())]
            for i, lv in enumerate(("crisis", "high"))]  # fmt: skip
    note = (
        WHOLE_NOTE
        if whole
        else (
            "“—”：该级别已结案数未公开，其构成亦不公开 “—”: closed cases not shown, nor their parts"
        )
    )
    return Table("结案结果 Outcomes of closed cases, per level", ["", *cols, "已结案 Closed"],
                 rows, note, "outcomes")  # fmt: skip
