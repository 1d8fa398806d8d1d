"""What the band tables of a release tell a reader about its follow-up counts (pure).

Under the risk policy every released respondent whose score falls in a band entirely inside a
rule of level high (or crisis) got a case of level high or crisis at submission, and one in a
band entirely inside a rule of level moderate or above got an outreach or a case. Cases are
never deleted and a level only rises, so the city row of a band table is a floor under the
follow-up counts (``reports.linked`` states which cells, and why). This module computes, from
the band tables exactly as published, the largest such floor a reader can justify: the least
value a linear programme over every published figure of the scale allows for the count of
respondents in those bands. Published are, per dimension table, the counts ("37", "< k" for
0..k-1, "x" for at least k, "—" for nothing), each row's n and each shown row's mean to one
decimal; a percentage is shown only beside its count, so it adds nothing.

The risk-level tables (``reports.risk``) say the same more directly: a respondent stored at
level high or crisis got a case of that level or above, a moderate one an outreach (or a case),
so the least count of crisis + high respondents, and of crisis + high + moderate, that those
tables allow (the same programme, without means) are floors too; each floor is the largest of
what any table gives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from reports.scales import Scale, report_scales
from reports.tables import Table
from scoring import RiskPolicy
from scoring.codes import LEVEL_CODES

# The half-width of a mean published to one decimal.
MEAN_ROUNDING = 0.05


@dataclass(frozen=True)
class CaseFloors:
    """Least numbers a reader of the band tables knows: cases of level high or crisis
    (``high``), and those cases plus outreach (``moderate``)."""

    high: int = 0
    moderate: int = 0


def band_ranges(scale: Scale, policy: RiskPolicy) -> list[tuple[float, float]]:
    """Each band's least and greatest score; a band without a stated maximum reaches up to the
    next band's minimum (or without end), which can only keep it out of a rule."""
    own = policy.instruments[scale.instrument].band_set(scale.score)
    bands = own.bands if own is not None else ()
    same = [float(b.min) for b in bands] == list(scale.lows)
    out = []
    for i, low in enumerate(scale.lows):
        stated = bands[i].max if same else None
        nxt = scale.lows[i + 1] if i + 1 < len(scale.lows) else math.inf
        out.append((low, float(stated) if stated is not None else nxt))
    return out


def bands_at_least(scale: Scale, policy: RiskPolicy, level: str) -> list[int]:
    """Bands of ``scale`` entirely inside one score rule of ``level`` or above."""
    rules = [
        r
        for r in policy.rules
        if r.kind == "score" and r.instrument == scale.instrument and r.target == scale.score
        and r.level >= LEVEL_CODES[level]
    ]  # fmt: skip
    inside = []
    for i, (low, high) in enumerate(band_ranges(scale, policy)):
        for r in rules:
            above = r.min is None or low >= float(r.min)
            below = r.max is None or high <= float(r.max)
            if above and below:
                inside.append(i)
                break
    return inside


def _bounds(text: str, k: int) -> tuple[float, float | None]:
    if text.isdigit():
        return float(text), float(text)
    if text.startswith("<"):
        return 0.0, float(k - 1)
    return (float(k), None) if text == "x" else (0.0, None)


def least_count(
    tables: Sequence[Table], scale: Scale, bands: list[int], policy: RiskPolicy, k: int
) -> int:
    """The least number of the city's respondents in ``bands`` that the published band tables
    of ``scale`` (every dimension, sharing the city row) allow."""
    mine = [t for t in tables if t.kind == "bands" and t.extra.get("scale") == scale.key]
    if not mine or not bands:
        return 0
    width = len(mine[0].columns)
    count_cols = [c for c in range(2, width - 1, 2)]  # band counts (not scored included)
    return least_in_columns(mine, count_cols, [2 + 2 * j for j in bands], k,
                            band_ranges(scale, policy))  # fmt: skip


def least_in_columns(
    mine: Sequence[Table],
    count_cols: list[int],
    goal_cols: list[int],
    k: int,
    ranges: list[tuple[float, float]] | None = None,
) -> int:
    """The least sum of the city's ``goal_cols`` that tables of one population allow: each row
    a label, n, then counts at ``count_cols`` summing to n; the last row the city, shared by
    every table; with ``ranges`` (the bands' scores), the last column a row's mean."""
    index: dict[tuple[int, int, int], int] = {}  # (table, row, column) → variable
    bounds: list[tuple[float, float | None]] = []

    def var(t: int, r: int, c: int) -> int:
        key = (-1, 0, c) if r == len(mine[t].rows) - 1 else (t, r, c)  # one city row
        low, high = _bounds(mine[t].rows[r][c], k)
        if key not in index:
            index[key] = len(bounds)
            bounds.append((low, high))
        # The city row is one set of cells, whatever table shows it: the tightest mark holds.
        was_low, was_high = bounds[index[key]]
        tighter = high if was_high is None else was_high if high is None else min(high, was_high)
        bounds[index[key]] = (max(low, was_low), tighter)
        return index[key]

    eq: list[dict[int, float]] = []
    ub: list[dict[int, float]] = []
    for t, table in enumerate(mine):
        rows = len(table.rows)
        for r in range(rows):
            eq.append({**{var(t, r, c): 1.0 for c in count_cols}, var(t, r, 1): -1.0})
            mean = table.rows[r][-1] if ranges is not None else ""
            if mean and ranges is not None:
                ub += _mean_rows([var(t, r, 2 + 2 * j) for j in range(len(ranges))],
                                 ranges, float(mean))  # fmt: skip
        for c in [1, *count_cols]:
            column: dict[int, float] = {}
            for r in range(rows - 1):
                column[var(t, r, c)] = column.get(var(t, r, c), 0.0) + 1.0
            column[var(t, rows - 1, c)] = -1.0
            eq.append(column)
    goal = np.zeros(len(bounds))
    for c in goal_cols:
        goal[var(0, len(mine[0].rows) - 1, c)] = 1.0
    simple = sum(b[0] for b, g in zip(bounds, goal, strict=True) if g)
    size = len(bounds)
    result = linprog(goal, A_ub=_matrix(ub, size), b_ub=[0.0] * len(ub) or None,
                     A_eq=_matrix(eq, size), b_eq=[0.0] * len(eq), bounds=bounds)  # fmt: skip
    # The true counts are a solution; a solver failure proves nothing, so keep the cells' own.
    least = float(result.fun) if result.status == 0 else simple
    return max(int(simple), math.ceil(least - 1e-6))


def _mean_rows(
    cells: list[int], ranges: list[tuple[float, float]], mean: float
) -> list[dict[int, float]]:
    """A shown mean m: scored counts × band lows ≤ (m + 0.05) × scored, and highs ≥ m − 0.05."""
    low = {cell: lo - mean - MEAN_ROUNDING for cell, (lo, _hi) in zip(cells, ranges, strict=True)}
    out = [low]
    if all(math.isfinite(hi) for _lo, hi in ranges):
        out.append({cell: mean - MEAN_ROUNDING - hi
                    for cell, (_lo, hi) in zip(cells, ranges, strict=True)})  # fmt: skip
    return out


def _matrix(rows: list[dict[int, float]], size: int) -> np.ndarray | None:
    if not rows:
        return None
    out = np.zeros((len(rows), size))
    for i, row in enumerate(rows):
        for j, coef in row.items():
            out[i, j] += coef
    return out


def case_floors(
    tables: Sequence[Table], policy: RiskPolicy, k: int, risk: Sequence[Table] = ()
) -> CaseFloors:
    """The floors the release's band tables, and its risk-level tables (``reports.risk``: a
    respondent of level high or crisis got a case, a moderate one an outreach), put under its
    follow-up counts."""
    high = moderate = 0
    if risk:
        # Columns: label, n, then a count and a share per level (crisis, high, moderate, ...).
        counts = list(range(2, len(risk[0].columns), 2))
        high = least_in_columns(risk, counts, counts[:2], k)
        moderate = least_in_columns(risk, counts, counts[:3], k)
    for scale in report_scales():
        for level in ("high", "moderate"):
            least = least_count(tables, scale, bands_at_least(scale, policy, level), policy, k)
            if level == "high":
                high = max(high, least)
            else:
                moderate = max(moderate, least)
    return CaseFloors(high=high, moderate=moderate)
