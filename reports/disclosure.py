"""Primary and complementary cell suppression for one table with margins (pure, no database).

A table is a matrix of counts whose last row and last column are totals. A cell below k (zero
included, so that "< k" always stands for k possible values, 0 to k - 1) is hidden and shown as
"< k"; a cell hidden only to protect another is shown as a suppression mark, which tells the
reader it is at least k. Complementary suppression follows FCSM Working Paper 22: a line
(row or column, totals included) with exactly one hidden cell, or whose hidden cells sum to less
than k, hides its next smallest cell, to a fixed point. Because a pattern can still be undone by
a chain of lines, every hidden cell is then bounded exactly by linear programming
(``reports.bounds``); while one could be narrowed to fewer than k values, more cells are hidden.
Cells marked ``frozen`` were decided elsewhere (a group's n, the city's row): they are never
hidden to protect another cell. A count below k is hidden all the same, frozen or not, and so is
the city's n in a wave of fewer than k respondents: the city is a group like any other
(``primary_cells``, the one rule every table of a release goes through).

Tables that share counts (the follow-up tables) are protected together by
``reports.disclosure_linked.protect_linked``, with the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from reports.bounds import hidden_ranges, is_protected, rectangle_protected, shuttle_ranges

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Protected:
    """Which cells are hidden, which of them are "< k" (primary), and whether all was withheld."""

    hidden: BoolArray
    primary: BoolArray
    withheld: bool = False


def _check(values: IntArray, k: int) -> None:
    if k < 1:
        raise ValueError("k must be positive")
    if values.ndim != 2 or values.shape[0] < 2 or values.shape[1] < 2:
        raise ValueError("a table needs a body and a total row and column")
    if (values < 0).any():
        raise ValueError("counts cannot be negative")
    body = values[:-1, :-1]
    if (body.sum(axis=1) != values[:-1, -1]).any() or (body.sum(axis=0) != values[-1, :-1]).any():
        raise ValueError("the margins do not add up")
    if body.sum() != values[-1, -1]:
        raise ValueError("the grand total does not add up")


def primary_cells(values: IntArray, k: int) -> BoolArray:
    """Counts shown only as "< k": every count below k (zero included), whatever else holds.

    No caller can exempt a cell (``frozen`` only keeps a cell from being hidden for another's
    sake), so a group of fewer than k respondents, the city's included, never shows its n.
    """
    return np.asarray(values < k)


def give_up(frozen: BoolArray, primary: BoolArray) -> Protected:
    """A table that could not be protected cell by cell: withheld, but for the frozen cells of
    at least k (decided elsewhere and shown alike in every table)."""
    return Protected(hidden=~frozen | primary, primary=primary, withheld=True)


def _lines(shape: tuple[int, ...]) -> list[tuple[slice | int, slice | int]]:
    return [(r, slice(None)) for r in range(shape[0])] + [(slice(None), c) for c in range(shape[1])]


def _hide_smallest(
    values: IntArray, hidden: BoolArray, frozen: BoolArray, cells: list[tuple[int, int]]
) -> bool:
    """Hide the smallest open cell among ``cells`` (non-zero first); whether one was found."""
    open_cells = [c for c in cells if not hidden[c] and not frozen[c]]
    if not open_cells:
        return False
    best = min(open_cells, key=lambda c: (values[c] == 0, values[c]))
    hidden[best] = True
    return True


def _line_cells(
    shape: tuple[int, ...], line: tuple[slice | int, slice | int]
) -> list[tuple[int, int]]:
    r, c = line
    if isinstance(r, int):
        return [(r, j) for j in range(shape[1])]
    return [(i, int(c)) for i in range(shape[0])]  # type: ignore[arg-type]


def complement(values: IntArray, hidden: BoolArray, frozen: BoolArray, k: int) -> BoolArray:
    """WP22's rule to a fixed point: no line with one hidden cell or a hidden sum below k."""
    hidden = hidden.copy()
    changed = True
    while changed:
        changed = False
        for line in _lines(values.shape):
            cells = _line_cells(values.shape, line)
            shut = [c for c in cells if hidden[c]]
            total = sum(int(values[c]) for c in shut)
            if shut and (len(shut) == 1 or total < k):
                changed |= _hide_smallest(values, hidden, frozen, cells)
    return hidden


def _bounds(primary: BoolArray, k: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lower = np.where(primary, 0.0, float(k))
    upper = np.where(primary, float(k - 1), np.inf)
    return lower, upper


def weak_cells(
    values: IntArray, hidden: BoolArray, primary: BoolArray, k: int
) -> list[tuple[int, int]]:
    """Hidden cells that what is shown pins to fewer than k possible values."""
    lower, upper = _bounds(primary, k)
    # Cheap and sound both ways first: a four-cell move proves a cell safe, outer (shuttle)
    # bounds prove it weak. Only cells neither settles get their exact bounds by LP.
    proven = rectangle_protected(values, hidden, lower, upper, k)
    outer = shuttle_ranges(values, hidden, lower, upper)
    weak = {cell for cell, (lo, hi) in outer.items() if not is_protected(lo, hi, k)}
    undecided = set(outer) - proven - weak
    # Cells already known weak get partners first; the exact check runs once the cheap ones pass
    # (``protect`` stops only on an empty answer, so the last round is always the full check).
    if undecided and not weak:
        ranges = hidden_ranges(values, hidden, lower, upper, targets=undecided)
        weak |= {cell for cell, (lo, hi) in ranges.items() if not is_protected(lo, hi, k)}
    return [cell for cell in outer if cell in weak]


def protect(
    values: IntArray,
    k: int,
    *,
    frozen: BoolArray | None = None,
    forced: BoolArray | None = None,
) -> Protected:
    """Hide what must be hidden in ``values`` so that no hidden cell is pinned below k values."""
    values = np.asarray(values, dtype=np.int64)
    _check(values, k)
    frozen = np.zeros(values.shape, bool) if frozen is None else frozen
    forced = np.zeros(values.shape, bool) if forced is None else forced
    primary = primary_cells(values, k)
    hidden = complement(values, primary | forced, frozen, k)
    for _round in range(values.size):
        weak = weak_cells(values, hidden, primary, k)
        if not weak:
            return Protected(hidden=hidden, primary=primary & hidden)
        grew = False
        for r, c in weak:
            cells = _line_cells(values.shape, (r, slice(None))) + _line_cells(
                values.shape, (slice(None), c)
            )
            grew |= _hide_smallest(values, hidden, frozen, cells)
        if not grew:
            break
        hidden = complement(values, hidden, frozen, k)
    return give_up(frozen, primary)
