"""Which groups of each dimension a release shows: n >= k, protected margins, no differencing.

Within one release no two overlapping populations may differ by 1 to k - 1 people: comparing a
shown group with another shown group of another dimension (or with the city, or with the
unshown rest of a dimension, whose size the margins reveal) must never isolate a few teachers.
A group that would is hidden, its dimension's margins are protected again, to a fixed point.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from reports.disclosure import protect

Codes = dict[str, NDArray[np.int64]]


def _one_way(counts: NDArray[np.int64], forced: NDArray[np.bool_], k: int) -> NDArray[np.bool_]:
    """Shown groups of one dimension: its counts as a one-row table with the city frozen."""
    row = np.append(counts, counts.sum())
    table = np.vstack([row, row])
    frozen = np.zeros(table.shape, bool)
    frozen[:, -1] = True
    force = np.zeros(table.shape, bool)
    force[:, :-1] = forced
    result = protect(table, k, frozen=frozen, forced=force)
    return np.asarray(~(result.hidden[0, :-1] | result.hidden[1, :-1]))


def _populations(codes: NDArray[np.int64], shown: NDArray[np.bool_]) -> list[NDArray[np.bool_]]:
    """Each shown group's members, and the unshown rest as one more population (if any)."""
    pops = [codes == g for g in np.flatnonzero(shown)]
    rest = ~shown[codes]
    if rest.any():
        pops.append(rest)
    return pops


def _differs_by_few(a: NDArray[np.bool_], b: NDArray[np.bool_], k: int) -> bool:
    both = int(np.count_nonzero(a & b))
    if both == 0:
        return False
    only_a, only_b = int(a.sum()) - both, int(b.sum()) - both
    return 0 < only_a < k or 0 < only_b < k


def _first_clash(
    codes: Codes, shown: dict[str, NDArray[np.bool_]], k: int
) -> tuple[str, int] | None:
    """A shown group that differs from an overlapping population by 1..k-1 people, if any."""
    names = list(codes)
    n = len(next(iter(codes.values())))
    city = np.ones(n, bool)
    for d1 in names:
        for g in np.flatnonzero(shown[d1]):
            a = codes[d1] == g
            if _differs_by_few(a, city, k):
                return d1, int(g)
            for d2 in (d for d in names if d != d1):
                for b in _populations(codes[d2], shown[d2]):
                    if _differs_by_few(a, b, k):
                        return d1, int(g)
    return None


def shown_groups(codes: Codes, sizes: dict[str, int], k: int) -> dict[str, NDArray[np.bool_]]:
    """For each dimension, which of its ``sizes[d]`` groups the release shows."""
    forced = {d: np.zeros(sizes[d], bool) for d in codes}
    for _round in range(sum(sizes.values()) + 1):
        shown = {
            d: _one_way(np.bincount(codes[d], minlength=sizes[d]).astype(np.int64), forced[d], k)
            for d in codes
        }
        clash = _first_clash(codes, shown, k)
        if clash is None:
            return shown
        forced[clash[0]][clash[1]] = True
    raise RuntimeError("group suppression did not settle")
