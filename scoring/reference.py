"""A plain per-teacher implementation of the same rules: test oracle and benchmark baseline.

:func:`prepare` turns the instrument files and the policy into plain Python lists and floats
once; :func:`score_one` then scores one teacher with loops and ``if`` statements, no numpy.
It shares no scoring code with the vectorized engine, so agreement between the two is
evidence that both implement the rules (tests check it on random data).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from instruments import Instrument
from scoring.codes import (
    INCOMPLETE,
    LOW,
    NONE,
    PRORATED,
    RELIABLE_DETERIORATION,
    RELIABLE_IMPROVEMENT,
    SAFETY_ITEM_UNANSWERED,
    flag_names,
)
from scoring.policy import RiskPolicy


@dataclass(frozen=True)
class OneResult:
    """One teacher, one instrument: scores (None when not computable), bands, bits, level."""

    scores: dict[str, float | None]
    bands: dict[str, int]
    flags: int
    level: int
    reasons: int


@dataclass(frozen=True)
class Spec:
    """One instrument's rules as plain Python data."""

    inst: Instrument
    options: list[set[float]]
    scored: list[tuple[float, float, bool]]  # lo, hi, reverse per item
    scores: list[dict[str, Any]]
    bands: dict[str, list[float]]
    item_flags: list[tuple[int, list[int], float, float]]
    rules: list[tuple[int, int, str, Any, float, float]]  # bit, level, kind, target, lo, hi
    change: tuple[str, float, str] | None


def prepare(battery: Sequence[str], policy: RiskPolicy) -> list[Spec]:
    """Plain-data rules of every instrument of ``battery``."""
    return [_spec(policy.instruments[iid], policy) for iid in battery]


def _spec(inst: Instrument, policy: RiskPolicy) -> Spec:
    names = flag_names(inst)
    inf = math.inf
    scores = [
        {
            "id": s.id, "items": list(s.items), "method": s.method, "rule": s.missing.rule,
            "max_missing": s.missing.max_missing, "min_answered": s.missing.min_answered,
            "from": s.derived_from, "mult": float(s.multiplier),
        }
        for s in inst.scores
    ]  # fmt: skip
    bands = {}
    for s in inst.scores:
        band_set = policy.band_set(inst.id, s.id)
        if band_set is not None:
            bands[s.id] = [float(b.min) for b in band_set.bands]
    flags = [
        (names.index(f.id), list(f.items), _f(f.min, -inf), _f(f.max, inf)) for f in inst.item_flags
    ]
    rules: list[tuple[int, int, str, Any, float, float]] = []
    for r in policy.rules:
        if r.instrument == inst.id:
            target: Any = r.target
            if r.kind == "item":
                target = inst.item_index(r.target)
            elif r.kind == "flag":
                target = names.index(r.target)
            rules.append((r.index, r.level, r.kind, target, _f(r.min, -inf), _f(r.max, inf)))
    rc = policy.reliable_change(inst.id)
    return Spec(
        inst=inst,
        options=[{float(v) for v in it.values} for it in inst.items],
        scored=[(float(it.values[0]), float(it.values[-1]), it.reverse) for it in inst.items],
        scores=scores,
        bands=bands,
        item_flags=flags,
        rules=rules,
        change=None if rc is None else (rc.score, rc.r, rc.worse),
    )


def _f(x: object, default: float) -> float:
    return default if x is None else float(x)  # type: ignore[arg-type]


def score_one(
    specs: Sequence[Spec],
    answers: Sequence[float],
    previous: Mapping[str, tuple[float, float]] | None = None,
) -> tuple[dict[str, OneResult], int, int]:
    """Score one teacher: per-instrument results, battery level, battery reasons.

    ``previous`` maps an instrument id to (previous score or NaN, previous-wave SD).
    """
    results, col = {}, 0
    for spec in specs:
        n = spec.inst.n_items
        prev = (previous or {}).get(spec.inst.id)
        results[spec.inst.id] = _one(spec, list(answers[col : col + n]), prev)
        col += n
    levels = [r.level for r in results.values()]
    level = max(levels)
    if level == LOW and NONE in levels:
        level = NONE
    reasons = 0
    for r in results.values():
        reasons |= r.reasons
    return results, level, reasons


def _one(spec: Spec, values: list[float], prev: tuple[float, float] | None) -> OneResult:
    for j, v in enumerate(values):
        if not math.isnan(v) and v not in spec.options[j]:
            raise ValueError(f"{spec.inst.id} item {j + 1}: {v} is not an option")
    scores, flags = _scores(spec, values)
    incomplete = any(scores[s["id"]] is None for s in spec.scores if s["from"] is None)
    if incomplete:
        flags |= INCOMPLETE
    for bit, items, lo, hi in spec.item_flags:
        for i in items:
            if lo <= values[i] <= hi:  # False for NaN
                flags |= 1 << bit
    for i in spec.inst.safety_items:
        if math.isnan(values[i]):
            flags |= SAFETY_ITEM_UNANSWERED
    if spec.change is not None and prev is not None:
        score_id, r, worse = spec.change
        flags |= _change(scores[score_id], prev, r, worse)
    bands = {}
    for score_id, mins in spec.bands.items():
        value = scores[score_id]
        bands[score_id] = -1
        for n, threshold in enumerate(mins):
            if value is not None and value >= threshold:
                bands[score_id] = n
    level, reasons = _rules(spec, values, scores, flags)
    if level == NONE and not incomplete:
        level = LOW
    return OneResult(scores, bands, flags, level, reasons)


def _scores(spec: Spec, values: list[float]) -> tuple[dict[str, float | None], int]:
    scores: dict[str, float | None] = {}
    flags = 0
    for s in spec.scores:
        if s["from"] is not None:
            base = scores[s["from"]]
            scores[s["id"]] = None if base is None else base * s["mult"]
            continue
        got = []
        for i in s["items"]:
            v = values[i]
            if not math.isnan(v):
                lo, hi, reverse = spec.scored[i]
                got.append(lo + hi - v if reverse else v)
        k, a = len(s["items"]), len(got)
        value: float | None = None
        if a == k:
            value = sum(got) if s["method"] == "sum" else sum(got) / k
        elif s["rule"] == "prorate" and k - a <= s["max_missing"]:
            value = float(math.floor(sum(got) * k / a + 0.5))
        elif s["rule"] == "min_answered" and a >= s["min_answered"]:
            value = sum(got) / a
        if value is not None and a < k:
            flags |= PRORATED
        scores[s["id"]] = value
    return scores, flags


def _rules(
    spec: Spec, values: list[float], scores: dict[str, float | None], flags: int
) -> tuple[int, int]:
    level, reasons = NONE, 0
    for bit, rule_level, kind, target, lo, hi in spec.rules:
        if kind == "flag":
            fired = bool(flags >> target & 1)
        else:
            x: float | None = scores[target] if kind == "score" else values[target]
            fired = x is not None and lo <= x <= hi
        if fired:
            level = max(level, rule_level)
            reasons |= 1 << bit
    return level, reasons


def _change(current: float | None, prev: tuple[float, float], r: float, worse: str) -> int:
    before, sd = prev
    if current is None or math.isnan(before):
        return 0
    threshold = 1.96 * sd * math.sqrt(2 * (1 - r))
    delta = current - before if worse == "higher" else before - current
    if delta > threshold:
        return RELIABLE_DETERIORATION
    if -delta > threshold:
        return RELIABLE_IMPROVEMENT
    return 0
