"""Protection of several tables that share counts (the follow-up tables), as one problem (pure).

The rules of ``reports.disclosure`` for one table, with the identities between the tables
(``Relation``) added to every table's own sums, so no hidden cell is narrowed by what another
table shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reports.bounds import (
    Term,
    is_protected,
    rectangle_protected,
    shuttle_ranges,
    system_ranges,
    table_relations,
)
from reports.disclosure import (
    BoolArray,
    IntArray,
    Protected,
    _bounds,
    _check,
    complement,
    give_up,
    primary_cells,
)

# A cell of one of several linked tables: (table, row, column).
Cell = tuple[int, int, int]


@dataclass(frozen=True)
class Relation:
    """An identity between linked tables: the terms' sum plus ``constant`` is zero, or at most
    zero (a constant carries what another table of the release says, e.g. ``cases >= 12``)."""

    terms: tuple[tuple[Cell, float], ...]
    equal: bool = True
    constant: float = 0.0

    def value(self, values: Sequence[IntArray]) -> float:
        """The terms' sum plus the constant on the true counts (zero, or at most zero, when the
        relation holds)."""
        total = sum(coef * float(values[t][r, c]) for (t, r, c), coef in self.terms)
        return total + self.constant


def _offsets(values: Sequence[IntArray]) -> list[int]:
    sizes = [int(v.size) for v in values]
    return [sum(sizes[:i]) for i in range(len(sizes))]


def _flat(cell: Cell, values: Sequence[IntArray], offsets: list[int]) -> int:
    t, r, c = cell
    return offsets[t] + r * int(values[t].shape[1]) + c


def _complement_linked(
    values: Sequence[IntArray],
    hidden: list[BoolArray],
    frozen: Sequence[BoolArray],
    relations: Sequence[Relation],
    k: int,
) -> list[BoolArray]:
    """WP22 in every table, and no equality with exactly one hidden cell, to a fixed point."""
    hidden = [h.copy() for h in hidden]
    changed = True
    while changed:
        changed = False
        hidden = [complement(v, h, f, k) for v, h, f in zip(values, hidden, frozen, strict=True)]
        for relation in relations:
            cells = [cell for cell, _coef in relation.terms]
            shut = [cell for cell in cells if hidden[cell[0]][cell[1:]]]
            if relation.equal and len(shut) == 1:
                changed |= _hide_smallest_of(values, hidden, frozen, cells)
    return hidden


def _hide_smallest_of(
    values: Sequence[IntArray],
    hidden: list[BoolArray],
    frozen: Sequence[BoolArray],
    cells: list[Cell],
) -> bool:
    """``_hide_smallest`` over cells of several tables."""
    open_cells = [c for c in cells if not hidden[c[0]][c[1:]] and not frozen[c[0]][c[1:]]]
    if not open_cells:
        return False
    t, r, c = min(open_cells, key=lambda c: (values[c[0]][c[1:]] == 0, values[c[0]][c[1:]]))
    hidden[t][r, c] = True
    return True


def linked_weak_cells(
    values: Sequence[IntArray],
    hidden: Sequence[BoolArray],
    primary: Sequence[BoolArray],
    relations: Sequence[Relation],
    k: int,
) -> list[Cell]:
    """Hidden cells that everything the linked tables show pins to fewer than k values."""
    weak: list[Cell] = []
    linked = [np.zeros(v.shape, bool) for v in values]
    for relation in relations:
        for (t, r, c), _coef in relation.terms:
            linked[t][r, c] = True
    proven: set[Cell] = set()
    for t, (v, h, p) in enumerate(zip(values, hidden, primary, strict=True)):
        lower, upper = _bounds(p, k)
        # One table's sums alone give wider outer bounds than the joint system, so a cell they
        # prove weak is weak; a four-cell move that touches no linked cell keeps every identity,
        # so it proves a cell safe.
        outer = shuttle_ranges(v, h, lower, upper)
        weak += [(t, r, c) for (r, c), (lo, hi) in outer.items() if not is_protected(lo, hi, k)]
        proven |= {(t, r, c) for r, c in rectangle_protected(v, h & ~linked[t], lower, upper, k)}
    if weak:
        return weak
    offsets = _offsets(values)
    equal: list[list[Term]] = []
    for t, v in enumerate(values):
        equal += table_relations((int(v.shape[0]), int(v.shape[1])), offsets[t])
    # A relation's constant is a term on one more entry, shown and equal to 1.
    one = sum(int(v.size) for v in values)
    flat_terms = [
        ([(_flat(cell, values, offsets), coef) for cell, coef in rel.terms]
         + ([(one, rel.constant)] if rel.constant else []), rel.equal)
        for rel in relations
    ]  # fmt: skip
    equal += [terms for terms, is_equal in flat_terms if is_equal]
    at_most = [terms for terms, is_equal in flat_terms if not is_equal]
    cells = {
        _flat((t, int(r), int(c)), values, offsets): (t, int(r), int(c))
        for t, h in enumerate(hidden)
        for r, c in np.argwhere(h)
    }
    bounds = [_bounds(p, k) for p in primary]
    ranges = system_ranges(
        np.concatenate([*(v.ravel() for v in values), [1]]),
        np.concatenate([*(h.ravel() for h in hidden), [False]]),
        np.concatenate([*(lo.ravel() for lo, _hi in bounds), [1.0]]),
        np.concatenate([*(hi.ravel() for _lo, hi in bounds), [1.0]]),
        equal,
        at_most,
        targets={i for i, cell in cells.items() if cell not in proven},
        # ``protect_linked`` hides one partner per round: the first weak cell is enough.
        until=lambda lo, hi: not is_protected(lo, hi, k),
        enough=k - 1,
    )
    return [cells[i] for i, (lo, hi) in ranges.items() if not is_protected(lo, hi, k)]


def protect_linked(
    tables: Sequence[IntArray],
    k: int,
    relations: Sequence[Relation],
    *,
    frozen: Sequence[BoolArray] | None = None,
) -> list[Protected]:
    """``protect`` for tables that share counts: no hidden cell of any of them is pinned below k
    values by everything they show together, the ``relations`` between them included."""
    values = [np.asarray(t, dtype=np.int64) for t in tables]
    for v in values:
        _check(v, k)
    # Columns may be counted from the end (-1: the total); one spelling per cell from here on.
    relations = [
        Relation(tuple(((t, r, c % values[t].shape[1]), coef) for (t, r, c), coef in rel.terms),
                 rel.equal, rel.constant)
        for rel in relations
    ]  # fmt: skip
    for relation in relations:
        total = relation.value(values)
        if (relation.equal and total != 0) or total > 0:
            raise ValueError("a relation between the linked tables does not hold")
    frozen = [np.zeros(v.shape, bool) for v in values] if frozen is None else frozen
    primary = [primary_cells(v, k) for v in values]
    hidden = _complement_linked(values, primary, frozen, relations, k)
    for _round in range(sum(v.size for v in values)):
        weak = linked_weak_cells(values, hidden, primary, relations, k)
        if not weak:
            return [
                Protected(hidden=h, primary=p & h) for h, p in zip(hidden, primary, strict=True)
            ]
        grew = False
        # One partner per round: hiding one for every weak cell at once cascades through the
        # identities and hides far more than needed (one new hidden cell often fixes several).
        for t, r, c in weak:
            # A partner in the weak cell's own row or column, or in an identity it is part of.
            shape = values[t].shape
            cells = [(t, r, j) for j in range(shape[1])] + [(t, i, c) for i in range(shape[0])]
            for relation in relations:
                if any(cell == (t, r, c) for cell, _coef in relation.terms):
                    cells += [cell for cell, _coef in relation.terms]
            # Failing those, any cell of its table, before giving the whole problem up.
            anywhere = [(t, i, j) for i in range(shape[0]) for j in range(shape[1])]
            grew = _hide_smallest_of(values, hidden, frozen, cells) or _hide_smallest_of(
                values, hidden, frozen, anywhere
            )
            if grew:
                break
        if not grew:
            break
        hidden = _complement_linked(values, hidden, frozen, relations, k)
    return [give_up(f, p) for f, p in zip(frozen, primary, strict=True)]


def withheld(tables: Sequence[IntArray]) -> list[Protected]:
    """Every cell of every table withheld: what ``protect_linked`` gives when it gives up."""
    return [
        Protected(hidden=np.ones(t.shape, bool), primary=np.zeros(t.shape, bool), withheld=True)
        for t in tables
    ]
