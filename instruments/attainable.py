"""Exact sets of attainable score values, used to check bands and policy thresholds.

A band set is valid only if every value a score can take (under its missing-data rule)
falls in exactly one band and every band can be reached; a risk rule is valid only if some
attainable value satisfies it.  The sets are computed with :class:`fractions.Fraction`, by a
small dynamic programme over (sum of answered items, number answered).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

from instruments.model import BandSet, Instrument, Score
from instruments.schema import SchemaError


def round_half_up(x: Fraction) -> int:
    """Round to the nearest integer, halves upwards (the AMHOCN K10 proration rounding)."""
    return math.floor(x + Fraction(1, 2))


def _states(values: list[tuple[Fraction, ...]]) -> set[tuple[Fraction, int]]:
    """Every reachable (sum of answered items, number answered), any item possibly missing."""
    states: set[tuple[Fraction, int]] = {(Fraction(0), 0)}
    for vals in values:
        states |= {(s + v, n + 1) for s, n in states for v in vals}
    return states


def _value(score: Score, total: Fraction, answered: int) -> Fraction | None:
    k = len(score.items)
    rule = score.missing
    if rule.rule == "complete":
        return (total if score.method == "sum" else total / k) if answered == k else None
    if rule.rule == "prorate":
        if k - answered > rule.max_missing or answered == 0:
            return None
        return total if answered == k else Fraction(round_half_up(total * k / answered))
    if answered < rule.min_answered or answered == 0:
        return None
    return total / answered if score.method == "mean" else total


def attainable(instrument: Instrument, score_id: str) -> frozenset[Fraction]:
    """Every value ``score_id`` can take on ``instrument``, reverse keys applied."""
    score = instrument.score(score_id)
    if score.derived_from is not None:
        base = attainable(instrument, score.derived_from)
        return frozenset(v * score.multiplier for v in base)
    values = []
    for i in score.items:
        item = instrument.items[i]
        lo, hi = item.values[0], item.values[-1]
        values.append(tuple(lo + hi - v for v in item.values) if item.reverse else item.values)
    out = {_value(score, s, n) for s, n in _states(values)}
    return frozenset(v * score.multiplier for v in out if v is not None)


def check_bands(band_set: BandSet, values: Iterable[Fraction], path: str, where: str) -> None:
    """Raise :class:`SchemaError` unless the bands tile ``values`` in order, with no gap."""
    vals = sorted(values)
    bands = band_set.bands
    if bands[0].min > vals[0]:
        raise SchemaError(path, f"{where}.bands[0].min", f"leaves the lowest score {vals[0]} out")
    for i, band in enumerate(bands):
        nxt = bands[i + 1].min if i + 1 < len(bands) else None
        inside = [v for v in vals if v >= band.min and (nxt is None or v < nxt)]
        field = f"{where}.bands[{i}]"
        if nxt is not None and nxt <= band.min:
            raise SchemaError(path, f"{field}.min", "bands must be in ascending order of min")
        if not inside:
            raise SchemaError(path, field, f"band {band.code!r} contains no attainable score")
        if band.max is not None and nxt is not None and band.max >= nxt:
            raise SchemaError(path, f"{field}.max", f"overlaps the next band (min {nxt})")
        if band.max is not None and (max(inside) > band.max or band.max < band.min):
            raise SchemaError(path, f"{field}.max", f"leaves attainable score {max(inside)} out")
        if band.max is not None and nxt is None and band.max < vals[-1]:
            raise SchemaError(path, f"{field}.max", f"leaves the highest score {vals[-1]} out")
