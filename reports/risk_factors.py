"""Which groups carry more risk: odds of high-or-crisis by five factors, adjusted for each other.

One logistic regression per released wave of "the teacher's level is high or crisis" on gender,
age band, years-of-service band, school level and subject group together (the report's own
groups, ``reports.dimensions``), with a penalty so weak it only keeps the fit finite. Odds ratios
against each factor's reference level (its largest group), with 95% percentile bootstrap
intervals: teachers are resampled with replacement, seeded, so a release is reproducible.

All five factors are categorical, so the teachers collapse into covariate patterns with a count
of events and non-events each; a bootstrap draw is a multinomial draw of those counts, and every
fit is of a few hundred weighted rows whatever the size of the wave.

Disclosure control: a group enters the model only when the release shows it (``reports.groups``)
and it has at least k teachers at high or crisis and at least k below. The groups that fail are
merged into "other", which enters on the same terms or is left out with its teachers. No count
is published; a group never shown has no odds ratio.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

FACTORS = ("gender", "age", "service", "level", "subject")
# sklearn minimises C * sum(weighted log-loss) + ||beta||^2 / 2: with C this large the penalty
# changes no odds ratio in its third decimal, yet a group with few events cannot run to infinity.
WEAK_PENALTY_C = 1e6
OTHER = -1
LEFT_OUT = -2
NOT_SHOWN = "—"


@dataclass(frozen=True)
class Factor:
    """One factor as modelled: each teacher's level (a group index, OTHER or LEFT_OUT), the
    levels in the model, and the reference among them."""

    id: str
    codes: NDArray[np.int64]
    levels: tuple[int, ...]
    reference: int


@dataclass(frozen=True)
class OddsRatio:
    """The adjusted odds ratio of one level against its factor's reference, with its interval."""

    factor: str
    level: int
    ratio: float
    low: float
    high: float


def _enough(events: int, n: int, k: int) -> bool:
    return events >= k and n - events >= k


def model_factor(
    name: str, codes: NDArray[np.int64], shown: NDArray[np.bool_], y: NDArray[np.bool_], k: int
) -> Factor | None:
    """The factor's model levels under disclosure control; None when fewer than two remain."""
    groups = len(shown)
    n = np.bincount(codes, minlength=groups)
    events = np.bincount(codes[y], minlength=groups)
    keep = np.array([shown[g] and _enough(int(events[g]), int(n[g]), k) for g in range(groups)])
    mapped = np.where(keep[codes], codes, OTHER)
    rest = mapped == OTHER
    if rest.any() and not _enough(int(y[rest].sum()), int(rest.sum()), k):
        mapped[rest] = LEFT_OUT
    levels = tuple(int(g) for g in np.flatnonzero(keep)) + ((OTHER,) if (mapped == OTHER).any()
                                                            else ())  # fmt: skip
    if len(levels) < 2:
        return None
    sizes = {level: int((mapped == level).sum()) for level in levels}
    reference = max(levels, key=lambda level: (sizes[level], -levels.index(level)))
    return Factor(name, mapped.astype(np.int64), levels, reference)


def _patterns(
    factors: Sequence[Factor], y: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Design rows of the distinct covariate patterns, and their event and non-event counts."""
    inside = np.all([f.codes != LEFT_OUT for f in factors], axis=0)
    stacked = np.stack([f.codes[inside] for f in factors], axis=1)
    patterns, inverse = np.unique(stacked, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    events = np.bincount(inverse[y[inside]], minlength=len(patterns)).astype(float)
    total = np.bincount(inverse, minlength=len(patterns)).astype(float)
    columns = [
        (patterns[:, i] == level).astype(float)
        for i, f in enumerate(factors)
        for level in f.levels
        if level != f.reference
    ]
    return np.stack(columns, axis=1), events, total - events


def _fit(
    x: NDArray[np.float64], events: NDArray[np.float64], rest: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Log odds ratios of one weighted fit."""
    rows = np.vstack([x, x])
    y = np.r_[np.ones(len(x)), np.zeros(len(x))]
    w = np.r_[events, rest]
    used = w > 0
    model = LogisticRegression(C=WEAK_PENALTY_C, solver="newton-cholesky", max_iter=200, tol=1e-10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(rows[used], y[used], sample_weight=w[used])
    return np.asarray(model.coef_[0], dtype=np.float64)


def odds_ratios(
    factors: Sequence[Factor], y: NDArray[np.bool_], *, draws: int = 200, seed: int = 0
) -> list[OddsRatio]:
    """Adjusted odds ratios of every non-reference level, with percentile bootstrap intervals."""
    x, events, rest = _patterns(factors, y)
    point = _fit(x, events, rest)
    cells = np.r_[events, rest]
    n = int(cells.sum())
    rng = np.random.default_rng(seed)
    boot = np.empty((draws, len(point)))
    for d in range(draws):
        drawn = rng.multinomial(n, cells / n).astype(float)
        boot[d] = _fit(x, drawn[: len(events)], drawn[len(events) :])
    low, high = np.percentile(boot, [2.5, 97.5], axis=0)
    labels = [(f.id, level) for f in factors for level in f.levels if level != f.reference]
    return [
        OddsRatio(name, level, float(np.exp(point[j])), float(np.exp(low[j])),
                  float(np.exp(high[j])))
        for j, (name, level) in enumerate(labels)
    ]  # fmt: skip


def _ratio_text(value: float) -> str:
    if value < 0.01:
        return "< 0.01"
    if value > 100:
        return "> 100"
    return f"{value:.2f}"


def risk_factor_table(
    codes: Mapping[str, NDArray[np.int64]],
    labels: Mapping[str, tuple[str, tuple[str, ...]]],
    shown: Mapping[str, NDArray[np.bool_]],
    high_or_crisis: NDArray[np.bool_],
    k: int,
    *,
    draws: int = 200,
    seed: int = 0,
) -> dict[str, Any]:
    """The odds-ratio table of one release (``labels``: factor -> (title, group labels))."""
    y = np.asarray(high_or_crisis, bool)
    candidates = [model_factor(name, codes[name], shown[name], y, k) for name in FACTORS
                  if name in codes]  # fmt: skip
    factors = [f for f in candidates if f is not None]
    rows: list[list[str]] = []
    if factors and _enough(int(y.sum()), len(y), k):
        ratios = {(r.factor, r.level): r for r in odds_ratios(factors, y, draws=draws, seed=seed)}
        for f in factors:
            title, names = labels[f.id]
            for level in f.levels:
                name = "其他（合并）Other (merged)" if level == OTHER else names[level]
                if level == f.reference:
                    rows.append([f"{title}: {name}", "1（参照 reference）"])
                    continue
                r = ratios[(f.id, level)]
                text = f"{_ratio_text(r.ratio)} ({_ratio_text(r.low)}–{_ratio_text(r.high)})"
                rows.append([f"{title}: {name}", text])
    note = (
        f"高危或危机的逻辑回归，五个因素同时纳入、相互调整；95% 百分位自助法区间（{draws} 次，"
        f"种子 {seed}）。参照组为各因素人数最多的组。高危或危机人数或其余人数不足 {k} 的组并入"
        f"“其他”，仍不足则不纳入。 Logistic regression of high or crisis on the five factors "
        f"together, each adjusted for the others; 95% percentile bootstrap intervals ({draws} "
        f"draws, seed {seed}). Each factor's reference is its largest group. Groups with fewer "
        f"than {k} teachers at high or crisis, or fewer than {k} below, are merged into "
        f"'Other', and left out where still too few."
    )
    if not rows:
        note += f" 本次不足以建模。 Too few teachers at high or crisis to model (k = {k})."
    title = "调整后的高危或危机比值比 Adjusted odds of high or crisis"
    return {"title": title, "columns": ["", "比值比 Odds ratio (95% CI)"], "rows": rows,
            "note": note, "kind": "risk_factors", "extra": {}}  # fmt: skip
