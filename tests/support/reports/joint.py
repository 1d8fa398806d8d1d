"""A whole release audited at once: every count it publishes, in every table, as one system.

From the frozen document's strings only (what the page, the print page and both exports show,
``tests.support.reports.release_audit`` checks that they agree), this gathers the counts of the
risk-level tables and the table with and without flagged responses, the band tables, the
follow-up tables and the change in each district's high-or-crisis share, and states what a
reader knows ties them together:

* each count table's sums (a row's counts add up to its n, the groups' rows to the city's);
* one population per scale, and one for the risk levels: the city row is the same in every
  table that shows it;
* a district's n and high-or-crisis share in the change table are its n and (crisis + high) /
  n in the risk-level table per district, the share to within half its last decimal;
* every respondent at crisis got a crisis case, every one at high or crisis a case of one of
  those levels, every one at moderate or worse a case or an outreach (the risk policy as
  submitted; cases are never deleted and a level only rises), and, likewise, every respondent
  in a band entirely inside a score rule (``CAPPED_BANDS``, pinned in the tests that use them);
* the follow-up tables' identities (``tests.support.reports.casework.relations``).

Means are left out: a mean is shown only beside a row whose counts are all shown. Nothing here
imports the code that made the tables but their dataclass, to read the stored dicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reports.tables import Table
from tests.support.reports.auditor import linked_ranges
from tests.support.reports.casework import published, relations

CITY = "全市 City"
ONE = ("one",)  # a name shown as "1": a constant term
Name = tuple[Any, ...]
# Cases of each level and above, as named by ``casework.published``.
CRISIS_CASES = {("state", "crisis", "Total"): 1}
HIGH_CASES = {**CRISIS_CASES, ("state", "high", "Total"): 1}
MODERATE_CASES = {**HIGH_CASES, ("outreach", "Total", "Total"): 1}
# The risk-level table's columns: label, n, then a count and a share per level, most severe first.
LEVEL_COUNT_COLUMNS = {"crisis": (2,), "high": (2, 4), "moderate": (2, 4, 6)}
CASES = {"crisis": CRISIS_CASES, "high": HIGH_CASES, "moderate": MODERATE_CASES}


def _counts(table: Table, population: str, shown: dict[Name, str],
            equal: list[dict[Name, int]]) -> None:  # fmt: skip
    """A count table's cells (label, n, count, share, ...), its sums, its city row shared."""
    width = len(table.columns) - (1 if table.kind == "bands" else 0)  # a band table's mean
    columns = [1, *range(2, width, 2)]
    city = len(table.rows) - 1

    def name(r: int, c: int) -> Name:
        return (population, "city", c) if r == city else (table.title, r, c)

    for r, row in enumerate(table.rows):
        for c in columns:
            shown[name(r, c)] = row[c]
        equal.append({**{name(r, c): 1 for c in columns[1:]}, name(r, 1): -1})
    for c in columns:
        equal.append({**{name(r, c): 1 for r in range(city)}, name(city, c): -1})


def release_system(
    document: Mapping[str, Any],
    capped_bands: Mapping[str, Mapping[str, Sequence[int]]] | None,
) -> tuple[dict[Name, str], list[dict[Name, int]], list[dict[Name, int]]]:
    """(published counts by name, equalities, inequalities ≤ 0) of a whole release.

    ``capped_bands`` maps a band table's scale to, per level, the band count columns entirely
    inside a score rule of that level or above; None for a population the risk policy did not
    make (levels stored without their cases): then no respondent count is capped by a case
    count."""
    shown: dict[Name, str] = {ONE: "1"}
    equal: list[dict[Name, int]] = []
    at_most: list[dict[Name, int]] = []
    risk = [Table(**t) for t in document.get("risk") or []]
    if document.get("quality"):
        risk.append(Table(**document["quality"]))
    for table in risk:
        _counts(table, "levels", shown, equal)
    for t in document.get("tables", []):
        if t.get("kind") == "bands":
            _counts(Table(**t), str(t["extra"]["scale"]), shown, equal)
    followup = [Table(**t) for t in document.get("followup", [])]
    cases = published(followup)
    shown.update(cases)
    same, below = relations(cases)
    equal += same
    at_most += below
    if risk and capped_bands is not None:
        for level, columns in LEVEL_COUNT_COLUMNS.items():
            at_most.append(_cap({("levels", "city", c): 1 for c in columns}, CASES[level], shown))
    for scale, levels in (capped_bands or {}).items():
        for level, bands in levels.items():
            cells = {(scale, "city", c): 1 for c in bands}
            if all(cell in shown for cell in cells):
                at_most.append(_cap(cells, CASES[level], shown))
    _change(document, risk, shown, at_most)
    return shown, [r for r in equal if set(r) <= set(shown)], at_most


def _cap(respondents: dict[Name, int], cases: dict[Name, int], shown: dict[Name, str]
         ) -> dict[Name, int]:  # fmt: skip
    """Respondents ≤ cases (a case count not published, "—" included, bounds nothing)."""
    known = {name: -coef for name, coef in cases.items() if name in shown}
    return {**respondents, **known} if len(known) == len(cases) else {}


def _change(document: Mapping[str, Any], risk: list[Table], shown: dict[Name, str],
            at_most: list[dict[Name, int]]) -> None:  # fmt: skip
    """The change table's current n and share, tied to the risk-level table per district."""
    section = document.get("district_change") or {}
    district = next((t for t in risk if t.extra.get("dimension") == "district"), None)
    if "table" not in section or district is None:
        return
    rows = {row[0]: r for r, row in enumerate(district.rows)}
    for row in section["table"]["rows"]:
        n, share = row[3], row[4]
        if not (n.isdigit() and share.endswith("%")) or row[0] not in rows:
            continue
        r = rows[row[0]]
        name = ("levels", "city") if r == len(district.rows) - 1 else (district.title, r)
        shown[("change", row[0])] = n
        at_most.append({(*name, 1): 1, ("change", row[0]): -1})
        at_most.append({(*name, 1): -1, ("change", row[0]): 1})
        # (p - 0.05)% of n ≤ crisis + high ≤ (p + 0.05)% of n, times 2000 (whole numbers).
        tenths, both = round(20 * float(share[:-1])), {(*name, 2): 2000, (*name, 4): 2000}
        at_most.append({ONE: (tenths - 1) * int(n), **{k: -v for k, v in both.items()}})
        at_most.append({**both, ONE: -(tenths + 1) * int(n)})


def assert_release_jointly_safe(
    document: Mapping[str, Any],
    k: int,
    capped_bands: Mapping[str, Mapping[str, Sequence[int]]] | None,
) -> None:
    """No count the release hides can be narrowed below k values by all it publishes
    (``capped_bands``: see ``release_system``)."""
    shown, equal, at_most = release_system(document, capped_bands)
    at_most = [r for r in at_most if r]
    for name, (lo, hi) in linked_ranges(shown, equal, at_most, k).items():
        assert hi - lo + 1 >= k, (name, lo, hi, shown[name])
