"""The rates a forecast learns from the latest released wave: read from its frozen report.

Never from the live case, outreach or response tables. Those change while a wave is open — a case
opens, a teacher withdraws and their answers are erased — and a figure on the system
administrator's page that moves by one names whoever moved it. The report was computed once,
at release, with small cells suppressed (``reports.service.build_release``); it never changes.

What the report publishes, and what is read here:

* ``respondents``: the number of teachers who completed the wave ("< k" when too few);
* the participation table's city row, column "受邀 Invited": how many were invited;
* the follow-up table "随访个案 Cases by level and state", column "合计 Total": every case the
  wave opened (row "合计 Total"), and per level (rows ``crisis``, ``high``);
* the outreach table "关怀外联 Outreach (moderate)": the moderate results (its total).

The report is read through a ``ReleaseReader`` the app hands over (``app.py`` gives
``reports.service.latest_release_before``): survey never imports reports.

The number of cases is what capacity is planned against, and the report publishes it (as "< k"
when there were fewer than k, read as k − 1 so that the forecast errs towards too many cases).
A level or the outreach hidden to protect a small cell is not guessed: it is left unknown. A
release with too few respondents, or that hides the number of cases, teaches nothing: the
published rates are used instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from census.models import Wave
from survey.waves.forecast import Rates, observed_rates

PARTICIPATION = "参与 Participation"
CASES = "随访个案"
OUTREACH = "关怀外联"
INVITED = "受邀 Invited"
CITY = "全市 City"
TOTAL = "合计 Total"
_BELOW = re.compile(r"<\s*(\d+)\Z")

# A published count as bounds: (at least, at most); at most None when nothing bounds it.
Bounds = tuple[int, int | None]
# The name and frozen report of the latest wave released before a wave opens, if any.
ReleaseReader = Callable[[Session, Wave], tuple[str, Mapping[str, Any]] | None]


def bounds(text: object) -> Bounds:
    """A published cell as bounds: "12" is exactly 12, "< 10" is 0 to 9, a mark is unknown."""
    cell = str(text).strip()
    if cell.isdigit():
        return int(cell), int(cell)
    below = _BELOW.match(cell)
    if below:
        return 0, max(int(below.group(1)) - 1, 0)
    return 0, None


def _table(document: Mapping[str, Any], part: str, title: str) -> Mapping[str, Any] | None:
    for table in document.get(part) or []:
        if isinstance(table, Mapping) and str(table.get("title", "")).startswith(title):
            return table
    return None


def _cell(table: Mapping[str, Any] | None, row: str, column: str) -> Bounds:
    if table is None:
        return 0, None
    columns: Sequence[str] = table.get("columns") or []
    if column not in columns:
        return 0, None
    for cells in table.get("rows") or []:
        if cells and cells[0] == row:
            return bounds(cells[columns.index(column)])
    return 0, None


def _exact(cell: Bounds) -> int | None:
    low, high = cell
    return low if low == high else None


def released_rates(name: str, document: Mapping[str, Any]) -> Rates | None:
    """The rates a release teaches, or None when it teaches nothing (see the module docstring)."""
    respondents = _exact(bounds(document.get("respondents")))
    cases_table = _table(document, "followup", CASES)
    _, cases = _cell(cases_table, TOTAL, TOTAL)
    if respondents is None or cases is None:
        return None
    outreach = _table(document, "followup", OUTREACH)
    invited = _exact(_cell(_table(document, "tables", PARTICIPATION), CITY, INVITED))
    return observed_rates(
        invited,
        respondents,
        cases,
        crisis=_exact(_cell(cases_table, "crisis", TOTAL)),
        high=_exact(_cell(cases_table, "high", TOTAL)),
        moderate=_exact(_cell(outreach, "outreach", TOTAL)),
        wave_name=name,
    )


def release_rates(session: Session, wave: Wave, read_release: ReleaseReader) -> Rates | None:
    """The rates of the latest release before ``wave`` (found by ``read_release``), or None (then
    published rates apply)."""
    found = read_release(session, wave)
    return None if found is None else released_rates(*found)
