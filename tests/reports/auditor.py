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
