"""Compile a battery and a risk policy into plain numbers the engine can loop over.

The plan resolves everything that does not depend on the answers once: column ranges of each
instrument in the battery's answer array, option grids, reverse-key constants, score recipes,
band thresholds, flag bits, and the rules that apply to each instrument, sorted by level.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from instruments import Instrument, ReliableChange
from scoring.codes import MAX_FLAGS, flag_names
from scoring.policy import RiskPolicy, Rule


@dataclass(frozen=True)
class OptionGrid:
    """Option values of one item: ``lo + step * j`` for ``j = 0..(hi - lo) / step``, or a list."""

    lo: float
    hi: float
    step: float | None
    values: tuple[float, ...]


@dataclass(frozen=True)
class ScorePlan:
    """How to compute one score from the instrument's item rows."""

    id: str
    method: str
    rows: tuple[int, ...]
    reverse: tuple[tuple[int, float], ...]
    rule: str
    max_missing: int
    min_answered: int
    multiplier: float
    derived_from: str | None
    band_mins: tuple[float, ...] | None
    band_codes: tuple[str, ...]


@dataclass(frozen=True)
class FlagPlan:
    """An item flag: bit ``bit`` set when any of ``rows`` is within ``[lo, hi]``."""

    bit: int
    rows: tuple[int, ...]
    lo: float | None
    hi: float | None


@dataclass(frozen=True)
class InstrumentPlan:
    """Everything the engine needs to score one instrument of a battery."""

    instrument: Instrument
    start: int
    stop: int
    grids: tuple[OptionGrid, ...]
    scores: tuple[ScorePlan, ...]
    flags: tuple[FlagPlan, ...]
    safety_rows: tuple[int, ...]
    rules: tuple[Rule, ...]
    change: ReliableChange | None

    @property
    def uniform_grid(self) -> OptionGrid | None:
        """The option grid shared by every item, if they all share one."""
        first = self.grids[0]
        return first if all(g == first for g in self.grids) and first.step else None


@dataclass(frozen=True)
class BatteryPlan:
    """A compiled battery: instruments side by side, in battery order."""

    instruments: tuple[InstrumentPlan, ...]
    n_items: int
    policy: RiskPolicy

    @property
    def ids(self) -> tuple[str, ...]:
        """Instrument ids in battery order."""
        return tuple(p.instrument.id for p in self.instruments)


def compile_battery(battery: Sequence[str], policy: RiskPolicy) -> BatteryPlan:
    """Resolve ``battery`` (instrument ids, in column order) against ``policy``."""
    if isinstance(battery, str) or not battery:
        raise ValueError("battery must be a non-empty sequence of instrument ids")
    if len(set(battery)) != len(battery):
        raise ValueError(f"battery lists an instrument twice: {list(battery)}")
    plans, start = [], 0
    for iid in battery:
        if iid not in policy.instruments:
            known = ", ".join(sorted(policy.instruments))
            raise ValueError(f"unknown instrument {iid!r} (known: {known})")
        plan = _instrument_plan(policy.instruments[iid], start, policy)
        plans.append(plan)
        start = plan.stop
    return BatteryPlan(tuple(plans), start, policy)


def _grid(values: tuple[float, ...]) -> OptionGrid:
    steps = {b - a for a, b in itertools.pairwise(values)}
    step = steps.pop() if len(steps) == 1 else None
    return OptionGrid(values[0], values[-1], step, values)


def _instrument_plan(inst: Instrument, start: int, policy: RiskPolicy) -> InstrumentPlan:
    names = flag_names(inst)
    if len(names) > MAX_FLAGS:
        raise ValueError(f"{inst.id}: at most {MAX_FLAGS} flags fit the uint16 mask")
    grids = tuple(_grid(tuple(float(v) for v in item.values)) for item in inst.items)
    flags = tuple(
        FlagPlan(names.index(f.id), f.items, _opt(f.min), _opt(f.max)) for f in inst.item_flags
    )
    rules = tuple(sorted((r for r in policy.rules if r.instrument == inst.id), key=_level))
    return InstrumentPlan(
        instrument=inst,
        start=start,
        stop=start + inst.n_items,
        grids=grids,
        scores=tuple(_score_plan(inst, s.id, grids, policy) for s in inst.scores),
        flags=flags,
        safety_rows=inst.safety_items,
        rules=rules,
        change=policy.reliable_change(inst.id),
    )


def _level(rule: Rule) -> int:
    return rule.level


def _opt(x: object) -> float | None:
    return None if x is None else float(x)  # type: ignore[arg-type]


def _score_plan(
    inst: Instrument, score_id: str, grids: tuple[OptionGrid, ...], policy: RiskPolicy
) -> ScorePlan:
    s = inst.score(score_id)
    bands = policy.band_set(inst.id, s.id)
    reverse = tuple((i, grids[i].lo + grids[i].hi) for i in s.items if inst.items[i].reverse)
    return ScorePlan(
        id=s.id,
        method=s.method,
        rows=s.items,
        reverse=reverse,
        rule=s.missing.rule,
        max_missing=s.missing.max_missing,
        min_answered=s.missing.min_answered,
        multiplier=float(s.multiplier),
        derived_from=s.derived_from,
        band_mins=tuple(float(b.min) for b in bands.bands) if bands else None,
        band_codes=tuple(b.code for b in bands.bands) if bands else (),
    )
