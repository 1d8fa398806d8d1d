"""Exact bounds of hidden cells in a table with margins, by linear programming.

A table is a matrix whose last row and last column are totals: every row's inner cells sum to its
last cell and every column's group rows sum to its last row. Given the cells that are shown (and
an upper bound on each cell shown only as a range), each hidden cell can take any value in an
interval; the disclosure rule is that this interval holds at least k whole numbers.
"""

from __future__ import annotations

from collections.abc import Callable

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


Term = tuple[int, float]


def system_ranges(
    values: NDArray[np.int64],
    hidden: NDArray[np.bool_],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    equal: list[list[Term]],
    at_most: list[list[Term]] | None = None,
    targets: set[int] | None = None,
    until: Callable[[float, float], bool] | None = None,
    enough: float | None = None,
) -> dict[int, tuple[float, float]]:
    """Least and greatest value of every hidden entry of a flat vector under linear relations.

    Each relation is a list of (index, coefficient) terms: ``equal`` ones sum to zero, ``at_most``
    ones to at most zero. Shown entries are constants; hidden ones are bounded by ``lower`` and
    ``upper`` (what the publication says of them). With ``targets``, only those are bounded;
    with ``until``, it stops after the first range for which ``until(lo, hi)`` is true. With
    ``enough``, a cell is bounded only until its range is known to be at least that wide, and
    is then given as that part of its range (one LP or none instead of two). ``values`` holds
    the true value of every entry, hidden ones included.
    """
    cells = [int(i) for i in np.flatnonzero(hidden)]
    if not cells:
        return {}
    index = {cell: i for i, cell in enumerate(cells)}

    def matrix(relations: list[list[Term]]) -> tuple[list[NDArray[np.float64]], list[float]]:
        rows, rhs = [], []
        for terms in relations:
            row, known = np.zeros(len(cells)), 0.0
            for cell, coef in terms:
                if cell in index:
                    row[index[cell]] += coef
                else:
                    known += coef * float(values[cell])
            if row.any():  # a relation of shown entries alone says nothing new
                rows.append(row)
                rhs.append(-known)
        return rows, rhs

    a_eq, b_eq = matrix(equal)
    a_ub, b_ub = matrix(at_most or [])
    bounds = [(float(lower[c]), None if np.isinf(upper[c]) else float(upper[c])) for c in cells]
    lp = {"A_eq": a_eq or None, "b_eq": b_eq or None, "A_ub": a_ub or None,
          "b_ub": b_ub or None, "bounds": bounds}  # fmt: skip
    # Every solution an LP finds is a table the reader cannot rule out, as is the true one: the
    # range of each cell spans at least what these solutions show (used with ``enough``).
    seen_lo = np.array([float(values[c]) for c in cells])
    seen_hi = seen_lo.copy()
    out = {}
    for cell, i in index.items():
        if targets is not None and cell not in targets:
            continue
        if enough is not None and seen_hi[i] - seen_lo[i] >= enough:
            out[cell] = (float(seen_lo[i]), float(seen_hi[i]))
            continue
        objective = np.zeros(len(cells))
        objective[i] = 1.0
        high = linprog(-objective, **lp)
        # The true table is a solution, so "infeasible" (2) can only be HiGHS's "unbounded or
        # infeasible". Any other failure (numerical, iteration limit) proves nothing: keep the
        # range the solutions seen so far show, which can only flag a cell weak, never safe.
        unbounded = high.status in (2, 3)
        hi = float(-high.fun) if high.status == 0 else float("inf") if unbounded else seen_hi[i]
        if high.status == 0:
            seen_lo, seen_hi = np.minimum(seen_lo, high.x), np.maximum(seen_hi, high.x)
        if enough is not None and hi - seen_lo[i] >= enough:
            out[cell] = (float(seen_lo[i]), hi)  # part of the range, already wide enough
            continue
        low = linprog(objective, **lp)
        if low.status == 0:
            seen_lo, seen_hi = np.minimum(seen_lo, low.x), np.maximum(seen_hi, low.x)
        out[cell] = (float(low.fun) if low.status == 0 else float(seen_lo[i]), float(hi))
        if until is not None and until(*out[cell]):
            break
    return out


def table_relations(shape: tuple[int, int], offset: int = 0) -> list[list[Term]]:
    """A table's rows and columns as flat (index, coefficient) terms summing to zero."""
    cols = shape[1]
    return [[(offset + r * cols + c, coef) for r, c, coef in line] for line in _constraints(shape)]


def hidden_ranges(
    values: NDArray[np.int64],
    hidden: NDArray[np.bool_],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    targets: set[tuple[int, int]] | None = None,
) -> dict[tuple[int, int], tuple[float, float]]:
    """For every hidden cell, the least and greatest value it could take given the shown ones.

    ``lower`` and ``upper`` are what the publication itself says of each hidden cell: "< k" is
    ``[0, k - 1]``; a cell hidden only to protect another is marked differently, so a reader
    knows it is at least k (``[k, inf)``). With ``targets``, only those cells are bounded (every
    hidden cell still constrains them).
    """
    shape = (int(values.shape[0]), int(values.shape[1]))
    flat = None if targets is None else {r * shape[1] + c for r, c in targets}
    ranges = system_ranges(values.ravel(), hidden.ravel(), lower.ravel(), upper.ravel(),
                           table_relations(shape), targets=flat)  # fmt: skip
    return {divmod(i, shape[1]): bounds for i, bounds in ranges.items()}


def is_protected(lo: float, hi: float, k: int) -> bool:
    """Whether an interval holds at least ``k`` whole numbers (so "< k" itself qualifies)."""
    return bool(np.floor(hi + 1e-6) - np.ceil(lo - 1e-6) + 1 >= k)


def _sign(shape: tuple[int, int], r: int, c: int) -> int:
    """+1 for a body cell, -1 for a total, +1 for the grand total (its sign in every line)."""
    return -1 if (r == shape[0] - 1) != (c == shape[1] - 1) else 1


def _room(
    cells: list[tuple[tuple[int, int], int]],
    values: NDArray[np.int64],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
) -> float:
    """How far a step ``t * d`` along the cells may move (t_hi - t_lo) staying within bounds."""
    t_lo, t_hi = -np.inf, np.inf
    for cell, d in cells:
        low, high = lower[cell] - values[cell], upper[cell] - values[cell]
        if d < 0:
            low, high = -high, -low
        t_lo, t_hi = max(t_lo, low), min(t_hi, high)
    return float(np.floor(t_hi + 1e-6) - np.ceil(t_lo - 1e-6))


def rectangle_protected(
    values: NDArray[np.int64],
    hidden: NDArray[np.bool_],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    k: int,
) -> set[tuple[int, int]]:
    """Hidden cells that provably take at least ``k`` values, found without an LP.

    Four hidden cells at rows {r1, r2} × columns {c1, c2} (totals included) can move together by
    ``t``, ``-t``, ``-t``, ``t`` (signs flipped for totals) without changing any shown cell or any
    line's sum; every such ``t`` within all four cells' published bounds is another table the
    reader cannot tell apart. If those ``t`` span ``k - 1`` steps, the cell takes ``k`` values and
    its exact LP range, which contains them, can only be wider. Cells not proven so are left to
    ``hidden_ranges``.
    """
    shape = (int(values.shape[0]), int(values.shape[1]))
    cells = {(int(r), int(c)) for r, c in np.argwhere(hidden)}
    proven: set[tuple[int, int]] = set()
    for r1, c1 in cells:
        if (r1, c1) in proven:
            continue
        for r2, c2 in ((r, c) for r, c in cells if r != r1 and c != c1):
            if (r1, c2) not in cells or (r2, c1) not in cells:
                continue
            corners = [((r1, c1), 1), ((r1, c2), -1), ((r2, c1), -1), ((r2, c2), 1)]
            signed = [(cell, d * _sign(shape, *cell)) for cell, d in corners]
            if _room(signed, values, lower, upper) >= k - 1:
                proven.update(cell for cell, _d in corners)
                break
    return proven


def shuttle_ranges(
    values: NDArray[np.int64],
    hidden: NDArray[np.bool_],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
) -> dict[tuple[int, int], tuple[float, float]]:
    """Outer bounds of every hidden cell by tightening along lines (the shuttle algorithm).

    Each line says its body cells sum to its total; a hidden cell is therefore within what the
    line's other cells leave for it, and repeating this over all lines to a fixed point gives an
    interval that always contains the exact LP range. It can prove a cell weak (an outer range
    below k values means the exact one is too), never safe.
    """
    cells = [(int(r), int(c)) for r, c in np.argwhere(hidden)]
    lo = {cell: float(lower[cell]) for cell in cells}
    hi = {cell: float(upper[cell]) for cell in cells}
    shape = (int(values.shape[0]), int(values.shape[1]))
    lines = [
        [((r, c), coef) for r, c, coef in line]
        for line in _constraints(shape)
        if any(hidden[r, c] for r, c, _coef in line)
    ]
    for _sweep in range(100):
        changed = False
        for line in lines:
            for cell, coef in line:
                if cell not in lo:
                    continue
                # coef * x = -(sum of the others' coef * value), within the others' ranges.
                rest_lo = rest_hi = 0.0
                for other, k in line:
                    if other == cell:
                        continue
                    if other in lo:
                        a, b = k * lo[other], k * hi[other]
                        rest_lo, rest_hi = rest_lo + min(a, b), rest_hi + max(a, b)
                    else:
                        rest_lo += k * float(values[other])
                        rest_hi += k * float(values[other])
                a, b = -rest_hi / coef, -rest_lo / coef
                new_lo, new_hi = max(lo[cell], min(a, b)), min(hi[cell], max(a, b))
                if new_lo > lo[cell] + 1e-9 or new_hi < hi[cell] - 1e-9:
                    lo[cell], hi[cell], changed = new_lo, new_hi, True
        if not changed:
            break
    return {cell: (lo[cell], hi[cell]) for cell in cells}
