"""Exact bounds of hidden cells in a table with margins, by linear programming.

A table is a matrix whose last row and last column are totals: every row's inner cells sum to its
last cell and every column's group rows sum to its last row. Given the cells that are shown (and
an upper bound on each cell shown only as a range), each hidden cell can take any value in an
interval; the disclosure rule is that this interval holds at least k whole numbers.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog


def _constraints(shape: tuple[int, int]) -> list[list[tuple[int, int, float]]]:
    """Each row and column of the table as (row, col, coefficient) terms summing to zero."""
    rows, cols = shape
    lines = []
    for r in range(rows):
        lines.append([(r, c, 1.0) for c in range(cols - 1)] + [(r, cols - 1, -1.0)])
    for c in range(cols):
        lines.append([(r, c, 1.0) for r in range(rows - 1)] + [(rows - 1, c, -1.0)])
    return lines


def hidden_ranges(
    values: NDArray[np.int64],
    hidden: NDArray[np.bool_],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
) -> dict[tuple[int, int], tuple[float, float]]:
    """For every hidden cell, the least and greatest value it could take given the shown ones.

    ``lower`` and ``upper`` are what the publication itself says of each hidden cell: "< k" is
    ``[0, k - 1]``; a cell hidden only to protect another is marked differently, so a reader
    knows it is at least k (``[k, inf)``).
    """
    cells = [(int(r), int(c)) for r, c in np.argwhere(hidden)]
    if not cells:
        return {}
    index = {cell: i for i, cell in enumerate(cells)}
    a_eq, b_eq = [], []
    for line in _constraints(values.shape):
        row = np.zeros(len(cells))
        known = 0.0
        for r, c, coef in line:
            if (r, c) in index:
                row[index[(r, c)]] += coef
            else:
                known += coef * float(values[r, c])
        if row.any():
            a_eq.append(row)
            b_eq.append(-known)
    bounds = [(float(lower[c]), None if np.isinf(upper[c]) else float(upper[c])) for c in cells]
    out = {}
    for cell, i in index.items():
        objective = np.zeros(len(cells))
        objective[i] = 1.0
        low = linprog(objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        high = linprog(-objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        lo = float(low.fun) if low.status == 0 else 0.0
        hi = float(-high.fun) if high.status == 0 else float("inf")
        out[cell] = (lo, hi)
    return out


def is_protected(lo: float, hi: float, k: int) -> bool:
    """Whether an interval holds at least ``k`` whole numbers (so "< k" itself qualifies)."""
    return bool(np.floor(hi + 1e-6) - np.ceil(lo - 1e-6) + 1 >= k)
