"""An independent auditor: from what a table shows, how far each hidden value could move.

It reads only the published strings ("37", "< 10", "x") and the table's shape (last row and
column are totals), and asks scipy's linear programming for each hidden cell's least and
greatest value. It shares no code with ``reports``. ``linked_ranges`` does the same for several
tables at once, with the identities between them that the caller states.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import TypeVar

import numpy as np
from scipy.optimize import linprog

N = TypeVar("N", bound=Hashable)
# A ceiling far above any count in the tests, for cells the publication leaves unbounded above:
# with it every LP has an optimum, so any other answer from the solver means the published
# figures are inconsistent (HiGHS reports an unbounded maximum as "infeasible" at times).
CEILING = 10**6


def published_ranges(shown: list[list[str]], k: int) -> dict[tuple[int, int], tuple[int, int]]:
    """Whole-number range of every hidden cell, given the shown cells and the table's sums."""
    rows, cols = len(shown), len(shown[0])
    unknown = [(r, c) for r in range(rows) for c in range(cols) if not shown[r][c].isdigit()]
    where = {cell: i for i, cell in enumerate(unknown)}
    equations = []
    for r in range(rows):
        equations.append([((r, c), 1) for c in range(cols - 1)] + [((r, cols - 1), -1)])
    for c in range(cols):
        equations.append([((r, c), 1) for r in range(rows - 1)] + [((rows - 1, c), -1)])
    a_eq, b_eq = [], []
    for terms in equations:
        coeffs, rhs = np.zeros(len(unknown)), 0.0
        for cell, sign in terms:
            if cell in where:
                coeffs[where[cell]] += sign
            else:
                rhs -= sign * int(shown[cell[0]][cell[1]])
        a_eq.append(coeffs)
        b_eq.append(rhs)
    bounds = [_published_bounds(shown[r][c], k) for r, c in unknown]
    out = {}
    for cell, i in where.items():
        goal = np.zeros(len(unknown))
        goal[i] = 1
        lo = linprog(goal, A_eq=a_eq, b_eq=b_eq, bounds=bounds)
        hi = linprog(-goal, A_eq=a_eq, b_eq=b_eq, bounds=bounds)
        assert lo.status == 0 and hi.status == 0, "the published table is inconsistent"
        out[cell] = (math.ceil(lo.fun - 1e-7), math.floor(-hi.fun + 1e-7))
    return out


def _published_bounds(text: str, k: int) -> tuple[int, int]:
    if text.startswith("<"):
        return (0, k - 1)
    if text == "x":
        return (k, CEILING)
    return (0, CEILING)  # withheld: the mark says nothing


def linked_ranges(
    shown: dict[N, str],
    equal: list[dict[N, int]],
    at_most: list[dict[N, int]],
    k: int,
    at_least: list[tuple[dict[N, int], int]] | None = None,
) -> dict[N, tuple[int, int]]:
    """Whole-number range of every hidden count across several tables.

    ``shown`` maps each published count (any name) to its text; each relation maps names to
    coefficients, summing to zero (``equal``) or to at most zero (``at_most``); each of
    ``at_least`` is (terms, floor): the terms sum to at least the floor, a constant the caller
    derived from other published tables. The caller states the relations from what the counts
    mean, not from the code that published them.
    """
    unknown = [name for name, text in shown.items() if not text.isdigit()]
    where = {name: i for i, name in enumerate(unknown)}

    def matrix(relations: list[dict[N, int]]) -> tuple[list[np.ndarray], list[float]]:
        rows, rhs = [], []
        for terms in relations:
            coeffs, known = np.zeros(len(unknown)), 0.0
            for name, coef in terms.items():
                if name in where:
                    coeffs[where[name]] += coef
                else:
                    known += coef * int(shown[name])
            rows.append(coeffs)
            rhs.append(-known)
        return rows, rhs

    a_eq, b_eq = matrix(equal)
    a_ub, b_ub = matrix(at_most)
    for terms, floor in at_least or []:  # sum >= floor, as -sum <= -floor
        (row,), (rest,) = matrix([{name: -coef for name, coef in terms.items()}])
        a_ub.append(row)
        b_ub.append(rest - floor)
    bounds = [_published_bounds(shown[name], k) for name in unknown]
    lp = {"A_eq": a_eq or None, "b_eq": b_eq or None, "A_ub": a_ub or None, "b_ub": b_ub or None}
    out = {}
    for name, i in where.items():
        goal = np.zeros(len(unknown))
        goal[i] = 1
        lo = linprog(goal, bounds=bounds, **lp)
        hi = linprog(-goal, bounds=bounds, **lp)
        assert lo.status == 0 and hi.status == 0, "the published tables are inconsistent"
        out[name] = (math.ceil(lo.fun - 1e-7), math.floor(-hi.fun + 1e-7))
    return out


# A mean published to one decimal lies within this of the true mean.
MEAN_HALF_WIDTH = 0.05
# A published count by (row, column), or a row's sum of scores as ("sum", row).
Key = tuple[int | str, int]


def band_table_ranges(
    rows: list[list[str]], bands: list[tuple[float, float]], k: int
) -> dict[tuple[int, int], tuple[int, int]]:
    """Whole-number range of every hidden count of a published band table, means included.

    ``rows`` are the table's rows as published: a label, n, then a count and a share per band
    (a last "not scored" column when there is one more count than ``bands``), then the mean;
    the last row is the city, the sum of the others. ``bands`` is each band's least and
    greatest score, as the instrument's authors publish them. Besides the table's sums, each
    row's scores add up to some sum S between its counts times the bands' least scores and
    times their greatest; a published mean m says S is within m ± 0.05 times the row's scored
    respondents; the city's S is the sum of the rows'. Shares are shown only beside their
    count and n, so they add nothing. Keys are (row, column) of ``rows``.
    """
    columns = (len(rows[0]) - 3) // 2
    count_cols = [2 + 2 * j for j in range(columns)]
    cells = [(r, c) for r in range(len(rows)) for c in [1, *count_cols]]
    unknown: list[Key] = [(r, c) for r, c in cells if not rows[r][c].isdigit()]
    sums: list[Key] = [("sum", r) for r in range(len(rows))]
    where = {name: i for i, name in enumerate([*unknown, *sums])}

    def row_of(terms: dict[Key, float]) -> tuple[np.ndarray, float]:
        coeffs, rhs = np.zeros(len(where)), 0.0
        for name, coef in terms.items():
            if name in where:
                coeffs[where[name]] += coef
            else:  # a published count
                rhs -= coef * int(rows[int(name[0])][name[1]])
        return coeffs, rhs

    city = len(rows) - 1
    equal: list[dict[Key, float]] = [{("sum", city): -1.0, **{s: 1.0 for s in sums[:-1]}}]
    for r in range(len(rows)):
        equal.append({(r, 1): -1.0, **{(r, c): 1.0 for c in count_cols}})
    for c in [1, *count_cols]:
        equal.append({(city, c): -1.0, **{(r, c): 1.0 for r in range(city)}})
    at_most: list[dict[Key, float]] = []
    for r, row in enumerate(rows):
        at_most.append(
            {("sum", r): -1.0, **{(r, count_cols[b]): lo for b, (lo, _) in enumerate(bands)}}
        )
        at_most.append(
            {("sum", r): 1.0, **{(r, count_cols[b]): -hi for b, (_, hi) in enumerate(bands)}}
        )
        if row[-1]:
            at_most += _mean_relations(r, row[-1], count_cols, len(bands))
    a_eq, b_eq = zip(*(row_of(t) for t in equal), strict=True)
    a_ub, b_ub = zip(*(row_of(t) for t in at_most), strict=True)
    bounds: list[tuple[int, int | None]] = [
        _published_bounds(rows[int(r)][c], k) for r, c in unknown
    ]
    bounds += [(0, None)] * len(sums)  # a sum of scores, none below 0
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for cell in unknown:
        goal = np.zeros(len(where))
        goal[where[cell]] = 1
        lo = linprog(goal, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds)
        hi = linprog(-goal, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds)
        assert lo.status == 0 and hi.status == 0, "the published table is inconsistent"
        out[(int(cell[0]), cell[1])] = (math.ceil(lo.fun - 1e-7), math.floor(-hi.fun + 1e-7))
    return out


def _mean_relations(
    r: int, mean: str, count_cols: list[int], scored: int
) -> list[dict[Key, float]]:
    """(m - 0.05) × scored ≤ S ≤ (m + 0.05) × scored, scored being n less the not-scored."""
    out = []
    for sign, edge in ((1.0, float(mean) - MEAN_HALF_WIDTH), (-1.0, float(mean) + MEAN_HALF_WIDTH)):
        terms: dict[Key, float] = {("sum", r): -sign, (r, 1): sign * edge}
        for c in count_cols[scored:]:  # the not-scored column, if any
            terms[(r, c)] = -sign * edge
        out.append(terms)
    return out
