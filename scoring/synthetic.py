"""A synthetic census with a known generating process, for tests, the demo and the benchmark.

Each teacher has a true distress ``latent`` in every wave, standard normal across the city:
a small fixed part from coarse context (gender, school level, years of service), a school
random effect, and a personal part carried from wave to wave as AR(1), so that the latent of
consecutive waves correlates ``RHO``.  Each instrument sees the latent plus its own wave noise
(``STATE_SD``), and each item answers by Samejima's graded response model: P(answer at or past
category k) = logistic(a * (theta - b_k)), category 0 the least distressed.  WHO-5 (well-being)
and the positively worded PSS-10 items 4, 5, 7, 8 and CBI work item 7 run the other way round
on their option values.  PHQ-9 item 9 has high thresholds, so that about 3% endorse it.

In every wave about ``NON_RESPONSE`` of teachers do not answer (their row is all NaN), and a
labelled ``careless_share`` of those who do answer carelessly: a straight line down one option
column, uniformly random answers, or rushed (under 2 s an item, a third of the answers
random).  Their answers replace the model's.  Honest page times are log-normal around 5 s an item.

The item parameters are tuned so that the default policy gives about 3% crisis, 5% high and
22% moderate.  Everything is drawn from ``numpy.random.default_rng(seed)``, vectorised: 115,000
teachers x 3 waves take a few seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from instruments import instruments_by_id
from scoring.engine import score_battery
from scoring.teacher_lines import ANALYSIS_BATTERY

RHO = 0.7  # correlation of a teacher's latent between consecutive waves
SCHOOL_SD = 0.3  # school random effect, in latent SD units
STATE_SD = 0.45  # each instrument's own wave-to-wave deviation from the latent
NON_RESPONSE = 0.15
SECONDS_PER_ITEM = 5.0  # median honest time on an item
RUSHED_SECONDS = (0.6, 1.8)  # uniform, per item: under the 2 s rushing cut-off
CARELESS_KINDS = ("straight_line", "random", "rushed")

# Per instrument: discrimination of its items and the thresholds b_k (latent units) of the
# categories past the first, least to most distressed.  PHQ-9 item 9 is set apart below.
_GRM: dict[str, tuple[float, tuple[float, ...]]] = {
    "phq9": (1.8, (0.8, 2.0, 2.8)),
    "gad7": (1.8, (0.7, 1.95, 2.75)),
    "who5": (1.5, (-1.6, -0.7, 0.2, 1.2, 2.2)),
    "k10": (1.9, (0.6, 1.7, 2.55, 3.3)),
    "pss10": (1.3, (-1.6, -0.3, 0.9, 2.1)),
    "cbi": (1.5, (-1.7, -0.5, 0.7, 1.9)),
}
_ITEM9 = (2.2, (3.35, 4.1, 4.7))
_ITEM_SPREAD = 0.25  # SD of the per-item shift of thresholds, fixed by a seed of its own


@dataclass(frozen=True)
class SyntheticWave:
    """One wave: answers of the respondents, who answered carelessly, page times, true latent."""

    answers: np.ndarray  # (n, 60) ANALYSIS_BATTERY order; a non-respondent's row is all NaN
    responded: np.ndarray  # (n,) bool
    careless: np.ndarray  # (n,) bool: labelled careless responders
    page_seconds: np.ndarray  # (n, 6) seconds each instrument's page was open; NaN if not
    latent: np.ndarray  # (n,) the true distress in this wave
    careless_kind: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, np.int8))


@dataclass(frozen=True)
class SyntheticCensus:
    """Teachers, their coarse context and their waves; ``lines`` and the oracle read them."""

    battery: tuple[str, ...]
    ids: list[str]
    school: np.ndarray
    district: np.ndarray
    school_level: np.ndarray  # 0 primary, 1 junior secondary, 2 senior secondary
    gender: np.ndarray  # "F" / "M"
    birth_year: np.ndarray
    years_of_service: np.ndarray
    subject_group: np.ndarray
    waves: tuple[SyntheticWave, ...]
    fixed: np.ndarray = field(repr=False)  # (n,) context part + school effect of the latent
    careless_share: float = 0.05

    def lines(self, wave: int) -> Iterator[dict[str, Any]]:
        """CLI input lines of ``waves[wave]`` (``"wave": wave + 1``), respondents only."""
        w = self.waves[wave]
        spans = _spans()
        rows = np.flatnonzero(w.responded)
        missing = np.isnan(w.answers[rows])
        values = np.where(missing, 0, w.answers[rows]).astype(np.int64).tolist()
        seconds = np.round(w.page_seconds[rows], 1).tolist()
        for k, i in enumerate(rows.tolist()):
            row: list[int | None] = list(values[k])
            for j in np.flatnonzero(missing[k]).tolist():
                row[j] = None
            yield {
                "id": self.ids[i],
                "wave": wave + 1,
                "battery": {iid: row[a:b] for iid, (a, b) in zip(self.battery, spans, strict=True)},
                "page_seconds": dict(zip(self.battery, seconds[k], strict=True)),
            }

    def oracle_probability(self, wave: int) -> np.ndarray:
        """P(battery level at ``wave + 1`` is high or crisis | latent and fixed part at ``wave``).

        The next latent is normal given the hidden state; the level given the next latent comes
        from a Monte-Carlo table of the item model (careless answers mixed in at their share),
        integrated by Gauss-Hermite quadrature.  Conditional on answering the next wave.
        """
        personal = self.waves[wave].latent - self.fixed
        var_p = 1.0 - _fixed_variance(self.fixed)
        rho_p = _personal_rho(var_p)
        mean = self.fixed + rho_p * personal
        sd = np.sqrt(var_p * (1 - rho_p**2))
        grid, table = _level_table(round(self.careless_share, 6))
        nodes, weights = np.polynomial.hermite_e.hermegauss(40)
        weights = weights / weights.sum()
        out = np.zeros(len(mean))
        for x, w in zip(nodes, weights, strict=True):
            out += w * np.interp(mean + sd * x, grid, table)
        return out


def synthetic_census(
    n_teachers: int,
    n_waves: int = 3,
    *,
    n_schools: int | None = None,
    careless_share: float = 0.05,
    seed: int = 0,
) -> SyntheticCensus:
    """Draw a census of ``n_teachers`` over ``n_waves`` waves; the same seed, the same census."""
    if n_teachers < 1 or n_waves < 1:
        raise ValueError("n_teachers and n_waves must be at least 1")
    if not 0 <= careless_share <= 1:
        raise ValueError("careless_share must be between 0 and 1")
    rng = np.random.default_rng(seed)
    n = n_teachers
    n_schools = n_schools or max(12, n // 400)
    n_districts = max(3, n_schools // 20)
    school_district = np.arange(n_schools) % n_districts
    school_level_of = rng.choice(3, size=n_schools, p=[0.5, 0.3, 0.2])
    school_effect = rng.normal(0.0, SCHOOL_SD, n_schools)
    school = rng.integers(0, n_schools, n)
    gender = np.where(rng.random(n) < 0.72, "F", "M")
    age = rng.integers(23, 60, n)
    birth_year = 2025 - age
    years_of_service = np.clip(age - 23 - rng.integers(0, 4, n), 0, None)
    subject_group = rng.integers(0, 6, n)
    level = school_level_of[school]
    context = (
        0.12 * (gender == "F")
        + 0.15 * (level == 2)
        + 0.1 * ((years_of_service >= 5) & (years_of_service < 15))
    )
    fixed = context - context.mean() + school_effect[school]
    var_p = 1.0 - _fixed_variance(fixed)
    rho_p = _personal_rho(var_p)
    personal = rng.normal(0.0, np.sqrt(var_p), n)
    waves = []
    for t in range(n_waves):
        if t:
            personal = rho_p * personal + rng.normal(0.0, np.sqrt(var_p * (1 - rho_p**2)), n)
        waves.append(_wave(rng, fixed + personal, careless_share))
    return SyntheticCensus(
        battery=ANALYSIS_BATTERY,
        ids=[f"S{i + 1:06d}" for i in range(n)],
        school=school,
        district=school_district[school],
        school_level=level,
        gender=gender,
        birth_year=birth_year,
        years_of_service=years_of_service,
        subject_group=subject_group,
        waves=tuple(waves),
        fixed=fixed,
        careless_share=careless_share,
    )


def _fixed_variance(fixed: np.ndarray) -> float:
    return float(min(np.var(fixed), 0.5))


def _personal_rho(var_p: float) -> float:
    """The personal AR(1) coefficient that makes the whole latent correlate RHO across waves."""
    return (RHO - (1.0 - var_p)) / var_p


def _wave(rng: np.random.Generator, latent: np.ndarray, careless_share: float) -> SyntheticWave:
    n = len(latent)
    responded = rng.random(n) >= NON_RESPONSE
    kind = np.where(responded & (rng.random(n) < careless_share), rng.integers(1, 4, n), 0).astype(
        np.int8
    )
    answers, seconds = simulate_answers(rng, latent, kind)
    answers[~responded] = np.nan
    seconds[~responded] = np.nan
    return SyntheticWave(answers, responded, kind > 0, seconds, latent, kind)


def simulate_answers(
    rng: np.random.Generator, latent: np.ndarray, kind: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Answers (n, 60) and page seconds (n, 6) for latents ``latent``.

    ``kind`` (n,) int: 0 honest, 1 straight line, 2 uniformly random, 3 rushed.
    """
    n = len(latent)
    params = _item_params()
    state = latent[:, None] + rng.normal(0.0, STATE_SD, (n, len(ANALYSIS_BATTERY)))
    theta = state[:, params.instrument].astype(np.float32)  # (n, 60)
    # u < logistic(a (theta - b)) exactly when theta + logit(u) / a > b: one logistic draw
    # per answer, compared with every threshold of the item.
    u = rng.random((n, params.n_items), dtype=np.float32)
    np.clip(u, 1e-7, 1 - 1e-7, out=u)
    theta += (np.log(u) - np.log1p(-u)) / params.a.astype(np.float32)
    cats = np.zeros((n, params.n_items), dtype=np.int64)
    for k in range(params.thresholds.shape[1]):
        cats += theta > params.thresholds[:, k]
    positions = params.position_of[np.arange(params.n_items), cats]
    random_pos = (rng.random((n, params.n_items)) * params.n_options).astype(np.int64)
    line_pos = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])[:, None]
    positions = np.where(
        (kind == 1)[:, None], np.minimum(line_pos, params.n_options - 1), positions
    )
    half = (kind == 3)[:, None] & (rng.random((n, params.n_items), dtype=np.float32) < 0.3)
    positions = np.where(((kind == 2)[:, None]) | half, random_pos, positions)
    answers = params.values[np.arange(params.n_items), positions]
    seconds = _page_seconds(rng, kind, params.items_per_page)
    return answers, seconds


def _page_seconds(rng: np.random.Generator, kind: np.ndarray, per_page: np.ndarray) -> np.ndarray:
    n = len(kind)
    person = rng.normal(0.0, 0.3, (n, 1))
    per_item = SECONDS_PER_ITEM * np.exp(person + rng.normal(0.0, 0.2, (n, len(per_page))))
    per_item = np.where((kind == 1)[:, None], per_item * 0.5, per_item)
    per_item = np.where((kind == 2)[:, None], per_item * 0.6, per_item)
    rushed = rng.uniform(*RUSHED_SECONDS, (n, len(per_page)))
    seconds: np.ndarray = np.where((kind == 3)[:, None], rushed, per_item) * per_page
    return seconds


@dataclass(frozen=True)
class _ItemParams:
    n_items: int
    instrument: np.ndarray  # (60,) index into the battery
    a: np.ndarray  # (60,)
    thresholds: np.ndarray  # (60, 5) +inf past an item's last category
    position_of: np.ndarray  # (60, 6) distress category -> option position on the page
    values: np.ndarray  # (60, 6) option position -> published value
    n_options: np.ndarray  # (60,)
    items_per_page: np.ndarray  # (6,)


@lru_cache(maxsize=1)
def _item_params() -> _ItemParams:
    insts = instruments_by_id()
    jitter = np.random.default_rng(20250917)
    inst_idx, a, thr, pos, vals, n_opt = [], [], [], [], [], []
    for j, iid in enumerate(ANALYSIS_BATTERY):
        inst = insts[iid]
        for item in inst.items:
            values = [float(v) for v in item.values]
            k = len(values)
            disc, b = _ITEM9 if item.id == "phq9_9" else _GRM[iid]
            shift = 0.0 if item.id == "phq9_9" else jitter.normal(0.0, _ITEM_SPREAD)
            # Distress order: ascending value, except well-being (WHO-5) and reverse-keyed
            # items (positively worded), where a higher value means less distress.
            order = np.argsort(values)
            if iid == "who5" or item.reverse:
                order = order[::-1]
            inst_idx.append(j)
            a.append(disc * np.exp(jitter.normal(0.0, 0.1)))
            thr.append(_pad(np.array(b[: k - 1]) + shift, 5, np.inf))
            pos.append(_pad(order.astype(float), 6, 0).astype(np.int64))
            vals.append(_pad(np.array(values), 6, np.nan))
            n_opt.append(k)
    per_page = np.array([insts[i].n_items for i in ANALYSIS_BATTERY], dtype=np.float64)
    return _ItemParams(
        n_items=len(a),
        instrument=np.array(inst_idx),
        a=np.array(a),
        thresholds=np.array(thr),
        position_of=np.array(pos),
        values=np.array(vals),
        n_options=np.array(n_opt),
        items_per_page=per_page,
    )


def _pad(x: np.ndarray, width: int, fill: float) -> np.ndarray:
    out = np.full(width, fill, dtype=np.float64)
    out[: len(x)] = x
    return out


@lru_cache(maxsize=1)
def _spans() -> tuple[tuple[int, int], ...]:
    insts = instruments_by_id()
    ends = np.cumsum([insts[i].n_items for i in ANALYSIS_BATTERY])
    pairs = zip(ANALYSIS_BATTERY, ends, strict=True)
    return tuple((int(e - insts[i].n_items), int(e)) for i, e in pairs)


@lru_cache(maxsize=4)
def _level_table(careless_share: float) -> tuple[np.ndarray, np.ndarray]:
    """P(level >= high | latent) on a grid, by simulating answers (a seed of its own)."""
    grid = np.linspace(-4.0, 5.5, 96)
    draws = 1500
    rng = np.random.default_rng(7)
    latent = np.repeat(grid, draws)
    kind = np.where(rng.random(len(latent)) < careless_share, rng.integers(1, 4, len(latent)), 0)
    answers, _ = simulate_answers(rng, latent, kind.astype(np.int8))
    high = score_battery(ANALYSIS_BATTERY, answers).level >= 3
    return grid, high.reshape(len(grid), draws).mean(axis=1)
