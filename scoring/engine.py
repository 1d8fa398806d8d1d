"""Score a battery for any number of teachers: one code path for one response or a million.

``answers`` has shape ``(n_teachers, n_items)``, the battery's instruments side by side in
battery order, each in its file's item order, holding the published option values (before
reversal) and NaN for a missing answer.  float32 is exact for every score here (small
integers; CBI means are correctly rounded); float64 gives correctly rounded means.

The work runs in blocks of rows, transposed so that items are contiguous rows, which keeps
every temporary in cache.  Input in column-major (Fortran) order needs no transposition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scoring import kernels
from scoring.change import PreviousWave, reliable_change_flags
from scoring.codes import INCOMPLETE, LOW, NONE, PRORATED, SAFETY_ITEM_UNANSWERED, flag_names
from scoring.plan import BatteryPlan, InstrumentPlan, ScorePlan, compile_battery
from scoring.policy import RiskPolicy, Rule
from scoring.results import BatteryResult, InstrumentResult

DEFAULT_BLOCK_ROWS = 32768
TRANSPOSE_ROWS = 512
Floats = NDArray[np.floating[Any]]


def score_battery(
    battery: Sequence[str] | BatteryPlan,
    answers: ArrayLike,
    policy: RiskPolicy | None = None,
    previous: Mapping[str, PreviousWave] | None = None,
    *,
    block_rows: int = DEFAULT_BLOCK_ROWS,
) -> BatteryResult:
    """Score every instrument of ``battery`` and evaluate the risk policy.

    Parameters
    ----------
    battery : sequence of str, or BatteryPlan
        Instrument ids in column order, e.g. ``["phq9", "gad7"]``.
    answers : array_like, shape (n_teachers, n_items)
        Published option values, NaN for missing; ``n_items`` is the battery's item count.
    policy : RiskPolicy, optional
        Defaults to ``config/risk_policy.toml`` (:func:`scoring.default_policy`).
    previous : mapping of str to PreviousWave, optional
        Per instrument, the teacher's score in the previous completed wave (NaN when none)
        and the SD of that wave's whole distribution, for reliable change.
    block_rows : int
        Rows scored per block; a tuning knob, results do not depend on it.

    Returns
    -------
    BatteryResult

    Raises
    ------
    ValueError
        Wrong shape, an answer that is not an option of its item, unknown instrument, or
        bad ``previous``.
    """
    plan = _plan(battery, policy)
    x = _as_answers(answers, plan.n_items)
    n = x.shape[0]
    prev = _previous(previous or {}, plan, n)
    rdtype = _reasons_dtype(len(plan.policy.rules))
    outs = {p.instrument.id: _allocate(p, n, x.dtype, rdtype) for p in plan.instruments}
    if block_rows < 1:
        raise ValueError("block_rows must be at least 1")
    for start in range(0, n, block_rows):
        stop = min(start + block_rows, n)
        block = _item_major(x[start:stop])
        for p in plan.instruments:
            res = outs[p.instrument.id]
            _score_block(p, block[p.start : p.stop], res, slice(start, stop), prev)
    level, reasons = _battery_level(list(outs.values()), n, rdtype)
    has_safety = any(p.safety_rows for p in plan.instruments)
    return BatteryResult(plan.ids, outs, level, reasons, plan.policy, has_safety)


def _plan(battery: Sequence[str] | BatteryPlan, policy: RiskPolicy | None) -> BatteryPlan:
    if isinstance(battery, BatteryPlan):
        if policy is not None and policy is not battery.policy:
            raise ValueError("the compiled battery was compiled against another policy")
        return battery
    if policy is None:
        from scoring import default_policy

        policy = default_policy()
    return compile_battery(battery, policy)


def _as_answers(answers: ArrayLike, n_items: int) -> Floats:
    x = np.asarray(answers)
    if x.dtype not in (np.float32, np.float64):
        if x.dtype.kind not in "iuf":
            raise ValueError(f"answers must be numbers with NaN for missing, not {x.dtype}")
        x = x.astype(np.float64)
    if x.ndim != 2 or x.shape[1] != n_items:
        raise ValueError(f"answers must have shape (n_teachers, {n_items}), not {x.shape}")
    return x


def _item_major(block: Floats) -> Floats:
    """The block as (n_items, m) with contiguous rows, copying only when it must."""
    t = block.T
    if t.strides[1] == t.itemsize:
        return t
    out = np.empty(t.shape, dtype=block.dtype)
    for j in range(0, block.shape[0], TRANSPOSE_ROWS):  # small tiles stay in cache
        out[:, j : j + TRANSPOSE_ROWS] = block[j : j + TRANSPOSE_ROWS].T
    return out


def _reasons_dtype(n_rules: int) -> np.dtype[Any]:
    for dt in (np.uint8, np.uint16, np.uint32, np.uint64):
        if n_rules <= np.iinfo(dt).bits:
            return np.dtype(dt)
    raise ValueError("at most 64 rules")  # pragma: no cover - the policy loader enforces it


def _allocate(
    p: InstrumentPlan, n: int, dtype: np.dtype[Any], rdtype: np.dtype[Any]
) -> InstrumentResult:
    banded = [s for s in p.scores if s.band_mins is not None]
    return InstrumentResult(
        instrument=p.instrument,
        scores={s.id: np.empty(n, dtype) for s in p.scores},
        bands={s.id: np.empty(n, np.int8) for s in banded},
        band_codes={s.id: s.band_codes for s in banded},
        flags=np.empty(n, np.uint16),
        level=np.empty(n, np.int8),
        reasons=np.empty(n, rdtype),
    )


def _previous(
    previous: Mapping[str, PreviousWave], plan: BatteryPlan, n: int
) -> dict[str, PreviousWave]:
    by_id = {p.instrument.id: p for p in plan.instruments}
    for iid, pw in previous.items():
        if iid not in by_id:
            raise ValueError(f"previous wave given for {iid!r}, which is not in the battery")
        if by_id[iid].change is None:
            raise ValueError(f"{iid} has no reliable-change setting (no published reliability)")
        if pw.scores.shape != (n,):
            raise ValueError(f"previous scores of {iid} must have shape ({n},)")
    return dict(previous)


def _score_block(
    p: InstrumentPlan, x: Floats, res: InstrumentResult, sl: slice, prev: Mapping[str, PreviousWave]
) -> None:
    kernels.check_options(x, p, sl.start)
    flags = res.flags[sl]
    flags.fill(0)
    incomplete = np.zeros(x.shape[1], np.bool_)
    scores: dict[str, Floats] = {}
    for sp in p.scores:
        dst = res.scores[sp.id][sl]
        partial = _compute_score(x, sp, scores, dst)
        if partial is not None:
            kernels.set_flag(flags, partial, PRORATED)
        if sp.derived_from is None:
            incomplete |= np.isnan(dst)
        scores[sp.id] = dst
        if sp.band_mins is not None:
            kernels.band_codes(dst, sp.band_mins, res.bands[sp.id][sl])
    kernels.set_flag(flags, incomplete, INCOMPLETE)
    _item_flags(p, x, flags)
    change = p.change
    if change is not None and p.instrument.id in prev:
        pw = prev[p.instrument.id]
        reliable_change_flags(scores[change.score], pw.scores[sl], pw.sd, change, flags)
    _apply_rules(p, x, scores, flags, incomplete, res.level[sl], res.reasons[sl])


def _compute_score(
    x: Floats, sp: ScorePlan, scores: Mapping[str, Floats], dst: Floats
) -> NDArray[np.bool_] | None:
    """Fill ``dst`` with one score; return which columns were scored from partial answers."""
    if sp.derived_from is not None:
        np.multiply(scores[sp.derived_from], sp.multiplier, out=dst)
        return None
    if sp.rule == "complete":
        kernels.complete_sum(x, sp, dst)
        if sp.method == "mean":
            dst /= len(sp.rows)
        return None
    return kernels.partial_score(x, sp, dst)


def _item_flags(p: InstrumentPlan, x: Floats, flags: NDArray[np.uint16]) -> None:
    for f in p.flags:
        hit = np.zeros(x.shape[1], np.bool_)
        for r in f.rows:
            hit |= kernels.within(x[r], f.lo, f.hi)
        kernels.set_flag(flags, hit, 1 << f.bit)
    for r in p.safety_rows:
        kernels.set_flag(flags, np.isnan(x[r]), SAFETY_ITEM_UNANSWERED)


def _apply_rules(
    p: InstrumentPlan,
    x: Floats,
    scores: Mapping[str, Floats],
    flags: NDArray[np.uint16],
    incomplete: NDArray[np.bool_],
    level: NDArray[np.int8],
    reasons: NDArray[np.unsignedinteger[Any]],
) -> None:
    """Highest level of the rules that fired; low if complete and none fired; else none."""
    # LOW is 1 and every rule level is above it, so max(complete, fired levels) is the level.
    np.logical_not(incomplete, out=level.view(np.bool_))
    reasons.fill(0)
    for rule in p.rules:
        fired = _fires(rule, p, x, scores, flags)
        np.maximum(level, np.multiply(fired, rule.level, dtype=np.int8), out=level)
        kernels.set_flag(reasons, fired, 1 << rule.index)


def _fires(
    rule: Rule,
    p: InstrumentPlan,
    x: Floats,
    scores: Mapping[str, Floats],
    flags: NDArray[np.uint16],
) -> NDArray[np.bool_]:
    lo = None if rule.min is None else float(rule.min)
    hi = None if rule.max is None else float(rule.max)
    if rule.kind == "score":
        return kernels.within(scores[rule.target], lo, hi)
    if rule.kind == "item":
        return kernels.within(x[p.instrument.item_index(rule.target)], lo, hi)
    bit = np.uint16(1 << _flag_bit(p, rule.target))
    fired: NDArray[np.bool_] = np.bitwise_and(flags, bit) != 0
    return fired


def _flag_bit(p: InstrumentPlan, name: str) -> int:
    return flag_names(p.instrument).index(name)


def _battery_level(
    results: list[InstrumentResult], n: int, rdtype: np.dtype[Any]
) -> tuple[NDArray[np.int8], NDArray[np.unsignedinteger[Any]]]:
    """Highest level over instruments; ``low`` only if every instrument is ``low``."""
    level = np.zeros(n, np.int8)
    lowest = np.full(n, 127, np.int8)
    reasons = np.zeros(n, rdtype)
    for r in results:
        np.maximum(level, r.level, out=level)
        np.minimum(lowest, r.level, out=lowest)
        reasons |= r.reasons
    level *= ~((level == LOW) & (lowest == NONE))
    return level, reasons
