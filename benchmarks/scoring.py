"""Score the full battery (six instruments, 60 items) for 1,000,000 synthetic teachers.

``python -m benchmarks scoring`` prints one JSON line: ``rows``, ``seconds`` (best of a few
runs of :func:`scoring.score_battery`, producing scores, bands, flags, levels and reason
masks as arrays), ``rows_per_s``, ``naive_rows_per_s`` (a per-teacher Python loop over the
same rules, :func:`scoring.reference.score_one`, timed on a sample in the same run),
``speedup_vs_naive``, ``copy_seconds`` (``np.copy`` of the same answer array, best of the
same number of runs) and ``copy_ratio`` = seconds / copy_seconds.

The answers are float32 in column-major order (each item's answers contiguous, as a column
store or a per-item export holds them); ``c_order_rows_per_s`` reports the same scoring on a
row-major copy, which the engine transposes block by block.  Everything runs on one thread.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from scoring import compile_battery, default_policy, score_battery  # noqa: E402
from scoring.reference import prepare, score_one  # noqa: E402

BATTERY = ("phq9", "gad7", "who5", "k10", "pss10", "cbi")
ROWS = 1_000_000
NAIVE_ROWS = 20_000
REPEATS = 5
MISSING_RATE = 0.002


def synthetic_answers(n: int, seed: int = 2025, order: str = "F") -> np.ndarray[Any, Any]:
    """Plausible answers: a latent distress per teacher drives every item; a few are missing."""
    rng = np.random.default_rng(seed)
    plan = compile_battery(BATTERY, default_policy())
    out = np.empty((n, plan.n_items), dtype=np.float32, order=order)  # type: ignore[call-overload]
    distress = rng.beta(1.3, 4.0, size=n).astype(np.float32)
    for p in plan.instruments:
        wellbeing = p.instrument.id == "who5"
        for j, (item, grid) in enumerate(zip(p.instrument.items, p.grids, strict=True)):
            k = len(grid.values) - 1
            lean = 1 - distress if (wellbeing or item.reverse) else distress
            codes = rng.binomial(k, np.clip(lean + rng.normal(0, 0.15, n), 0.01, 0.99))
            out[:, p.start + j] = np.asarray(grid.values, np.float32)[codes]
    holes = rng.random((n, plan.n_items)) < MISSING_RATE
    out[holes] = np.nan
    result: np.ndarray[Any, Any] = out
    return result


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Smallest wall time of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def naive_rate(answers: np.ndarray[Any, Any]) -> float:
    """Rows per second of the per-teacher reference loop on ``answers``."""
    specs = prepare(BATTERY, default_policy())
    rows = answers.astype(np.float64).tolist()
    t0 = time.perf_counter()
    for row in rows:
        score_one(specs, row)
    return len(rows) / (time.perf_counter() - t0)


def run() -> dict[str, Any]:
    """Run the benchmark and return the figures for the JSON line."""
    policy = default_policy()
    plan = compile_battery(BATTERY, policy)
    answers = synthetic_answers(ROWS)
    score_battery(plan, answers[:1000], policy)  # warm-up
    seconds = best_of(lambda: score_battery(plan, answers, policy), REPEATS)
    copy_seconds = best_of(lambda: np.copy(answers), REPEATS)
    c_answers = np.ascontiguousarray(answers)
    c_seconds = best_of(lambda: score_battery(plan, c_answers, policy), 3)
    naive = naive_rate(answers[:NAIVE_ROWS])
    rate = ROWS / seconds
    return {
        "rows": ROWS,
        "items": plan.n_items,
        "seconds": round(seconds, 4),
        "rows_per_s": round(rate),
        "naive_rows_per_s": round(naive),
        "speedup_vs_naive": round(rate / naive, 1),
        "copy_seconds": round(copy_seconds, 4),
        "copy_ratio": round(seconds / copy_seconds, 2),
        "c_order_rows_per_s": round(ROWS / c_seconds),
        "dtype": str(answers.dtype),
    }
