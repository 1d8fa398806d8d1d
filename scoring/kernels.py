"""Vectorized kernels on one block of one instrument: ``X`` has shape ``(n_items, m)``.

Items are rows and respondents are columns, so every operation runs over contiguous memory.
NaN marks a missing answer.  Each kernel states the published rule it implements.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.plan import InstrumentPlan, OptionGrid, ScorePlan

Floats = NDArray[np.floating[Any]]
Bools = NDArray[np.bool_]


def check_options(x: Floats, plan: InstrumentPlan, first_row: int) -> None:
    """Raise ``ValueError`` if an answer in ``x`` (n_items, m) is neither NaN nor an option."""
    grid = plan.uniform_grid
    if grid is not None and not _any_off_grid(x, grid):
        return
    for j, g in enumerate(plan.grids):
        row = x[j]
        bad = ~(np.isnan(row) | np.isin(row, np.asarray(g.values, dtype=row.dtype)))
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            item = plan.instrument.items[j].id
            allowed = ", ".join(f"{v:g}" for v in g.values)
            raise ValueError(
                f"row {first_row + k}, {plan.instrument.id} item {item}: {float(row[k])!r} "
                f"is not an option (allowed: {allowed}, or NaN for missing)"
            )


def _any_off_grid(x: Floats, g: OptionGrid) -> bool:
    """Fast test for a block: any value outside ``[lo, hi]`` or between grid points?"""
    if x.size == 0:
        return False
    # fmin/fmax skip NaN, so missing answers pass; an all-NaN block gives NaN, which passes.
    if np.fmin.reduce(x, axis=None) < g.lo or np.fmax.reduce(x, axis=None) > g.hi:
        return True
    step = g.step if g.step is not None else 1.0
    y = x if (step == 1 and float(g.lo).is_integer()) else (x - g.lo) / step
    return bool(np.fmax.reduce(y - np.floor(y), axis=None) > 0)


def signed_sum(x: Floats, rows: tuple[int, ...], rev: Mapping[int, float], out: Floats) -> Floats:
    """Sum of ``rows`` with reverse keys ``rev`` (row: lo + hi) scoring ``lo + hi - value``.

    NaN propagates, so a sum over a column with any missing answer is NaN.
    """
    first = rows[0]
    if first in rev:
        np.subtract(rev[first], x[first], out=out)
    else:
        np.copyto(out, x[first])
    for r in rows[1:]:
        if r in rev:
            np.subtract(out, x[r], out=out)
            out += rev[r]
        else:
            np.add(out, x[r], out=out)
    return out


def contiguous(rows: tuple[int, ...]) -> slice | None:
    """``rows`` as a slice when they are consecutive."""
    if rows == tuple(range(rows[0], rows[0] + len(rows))):
        return slice(rows[0], rows[0] + len(rows))
    return None


def complete_sum(x: Floats, sp: ScorePlan, out: Floats) -> Floats:
    """Sum score, not scored when any item is missing (PHQ-9, GAD-7, WHO-5, PSS-10)."""
    span = contiguous(sp.rows)
    if span is not None and not sp.reverse:
        return np.add.reduce(x[span], axis=0, out=out)
    return signed_sum(x, sp.rows, dict(sp.reverse), out)


def partial_score(x: Floats, sp: ScorePlan, out: Floats) -> Bools | None:
    """A score whose missing rule allows missing items (``prorate``, ``min_answered``).

    The sum is first taken with NaN propagation, which is exact for every complete column;
    only the columns with a missing answer (few, in real data) are then rescored by
    :func:`_answered_sum`.  Returns which columns were scored from partial answers.
    """
    complete_sum(x, sp, out)
    if sp.method == "mean":
        out /= len(sp.rows)
    holes = np.flatnonzero(np.isnan(out))
    if holes.size == 0:
        return None
    total, answered = _answered_sum(x[np.ix_(np.asarray(sp.rows, dtype=np.intp), holes)], sp)
    if sp.rule == "prorate":
        values = _prorate(total, answered, len(sp.rows), sp.max_missing)
    else:
        values = _mean_of_answered(total, answered, sp.min_answered)
    out[holes] = values
    partial = np.zeros(out.shape, np.bool_)
    partial[holes] = ~np.isnan(values)
    return partial


def _answered_sum(sub: Floats, sp: ScorePlan) -> tuple[Floats, Floats]:
    """Sum over answered items (reverse keys applied) and the number answered, per column."""
    missing = np.isnan(sub)
    zeroed = np.where(missing, 0, sub)
    for r, const in sp.reverse:
        j = sp.rows.index(r)
        zeroed[j] = np.where(missing[j], 0, const - sub[j])
    total = zeroed.sum(axis=0)
    answered = np.subtract(len(sp.rows), missing.sum(axis=0), dtype=sub.dtype)
    return total, answered


def _prorate(total: Floats, answered: Floats, k: int, max_missing: int) -> Floats:
    """K10 rule: up to ``max_missing`` missing, total = round(sum × k / answered), halves up.

    Australian AMHOCN / PMHC MDS K10 scoring; more missing items leave NaN.
    """
    ok = answered >= k - max_missing
    out = np.full(total.shape, np.nan, dtype=total.dtype)
    np.divide(total * k, answered, out=out, where=ok)
    rounded: Floats = np.floor(out + 0.5)
    return rounded


def _mean_of_answered(total: Floats, answered: Floats, min_answered: int) -> Floats:
    """CBI rule: mean of the answered items when at least ``min_answered`` are answered.

    Kristensen et al. 2005, Work & Stress 19:192.
    """
    out = np.full(total.shape, np.nan, dtype=total.dtype)
    np.divide(total, answered, out=out, where=answered >= min_answered)
    return out


def set_flag(mask: NDArray[np.unsignedinteger[Any]], where: Bools, value: int) -> None:
    """``mask |= value`` where ``where`` is true; ``value`` is a single bit.

    Shifting the booleans is several times faster than a ufunc with ``where=``.
    """
    mask |= np.left_shift(where, value.bit_length() - 1, dtype=mask.dtype)


def band_codes(score: Floats, mins: tuple[float, ...], out: NDArray[np.int8]) -> None:
    """Band index: the last band whose ``min`` is ``<= score``; ``-1`` for NaN."""
    out.fill(-1)
    for threshold in mins:
        out += score >= threshold


def within(v: Floats, lo: float | None, hi: float | None) -> Bools:
    """``lo <= v <= hi`` with either bound optional; False for NaN."""
    if lo is not None and hi is not None:
        return (v >= lo) & (v <= hi)
    if lo is not None:
        return v >= lo
    return v <= hi  # type: ignore[operator]
