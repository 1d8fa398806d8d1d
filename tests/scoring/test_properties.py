"""Property tests: ranges, monotonicity, batch invariances, and agreement with the oracle.

``scoring.reference`` is an independent per-teacher implementation of the same rules; the
engine must agree with it on any battery, any answers, any missing pattern.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from instruments.attainable import attainable
from scoring import PreviousWave, default_policy, score_battery
from scoring.reference import prepare, score_one
from tests.support.scoring import FULL_BATTERY

POLICY = default_policy()
OPTIONS = {
    iid: [[float(v) for v in item.values] for item in POLICY.instruments[iid].items]
    for iid in FULL_BATTERY
}
PROPERTY = settings(max_examples=60, deadline=None)


Answers = NDArray[np.float64]
Case = tuple[tuple[str, ...], Answers]


def random_answers(battery: tuple[str, ...], n: int, p_missing: float, seed: int) -> Answers:
    rng = np.random.default_rng(seed)
    columns = []
    for iid in battery:
        for values in OPTIONS[iid]:
            col = rng.choice(np.asarray(values), size=n)
            col[rng.random(n) < p_missing] = np.nan
            columns.append(col)
    stacked: Answers = np.column_stack(columns)
    return stacked


@st.composite
def cases(draw: st.DrawFn) -> Case:
    order = draw(st.permutations(FULL_BATTERY))
    battery = tuple(order[: draw(st.integers(1, len(FULL_BATTERY)))])
    n = draw(st.integers(1, 40))
    p_missing = draw(st.sampled_from([0.0, 0.02, 0.1, 0.4, 1.0]))
    return battery, random_answers(battery, n, p_missing, draw(st.integers(0, 2**32 - 1)))


def same(a: float, b: float | None) -> bool:
    if b is None:
        return math.isnan(a)
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)


@PROPERTY
@given(cases(), st.booleans())
def test_engine_agrees_with_the_per_teacher_reference(case: Case, with_previous: bool) -> None:
    battery, answers = case
    n = answers.shape[0]
    rng = np.random.default_rng(n)
    previous = {}
    if with_previous:
        for iid in battery:
            setting = POLICY.reliable_change(iid)
            if setting is not None:
                top = float(max(attainable(POLICY.instruments[iid], setting.score)))
                prev = np.where(rng.random(n) < 0.2, np.nan, np.round(rng.uniform(0, top, n)))
                previous[iid] = PreviousWave(prev, float(rng.uniform(1, top / 3)))
    result = score_battery(battery, answers, POLICY, previous)
    specs = prepare(battery, POLICY)
    for i in range(n):
        prev_i = {k: (float(v.scores[i]), v.sd) for k, v in previous.items()}
        expected, level, reasons = score_one(specs, answers[i].tolist(), prev_i)
        assert int(result.level[i]) == level and int(result.reasons[i]) == reasons
        for iid, exp in expected.items():
            got = result.instruments[iid]
            assert all(same(float(got.scores[s][i]), v) for s, v in exp.scores.items())
            assert {s: int(b[i]) for s, b in got.bands.items()} == exp.bands
            assert (int(got.flags[i]), int(got.level[i]), int(got.reasons[i])) == (
                exp.flags, exp.level, exp.reasons,
            )  # fmt: skip


@PROPERTY
@given(cases())
def test_scores_stay_within_their_attainable_range(case: Case) -> None:
    battery, answers = case
    result = score_battery(battery, answers, POLICY)
    for iid in battery:
        inst = POLICY.instruments[iid]
        for s in inst.scores:
            values = result.instruments[iid].scores[s.id]
            finite = values[~np.isnan(values)]
            reach = attainable(inst, s.id)
            assert np.all(finite >= float(min(reach))) and np.all(finite <= float(max(reach)))


@PROPERTY
@given(st.sampled_from(FULL_BATTERY), st.data())
def test_scores_are_monotone_in_each_item_decreasing_only_for_reversed_items(
    iid: str, data: st.DataObject
) -> None:
    inst = POLICY.instruments[iid]
    row = [data.draw(st.sampled_from([*v, math.nan])) for v in OPTIONS[iid]]
    j = data.draw(st.integers(0, inst.n_items - 1))
    values = OPTIONS[iid][j]
    k = data.draw(st.integers(0, len(values) - 2))
    low, high = list(row), list(row)
    low[j], high[j] = values[k], values[k + 1]
    result = score_battery([iid], np.array([low, high]), POLICY).instruments[iid]
    for s in inst.scores:
        a, b = result.scores[s.id]
        if not (math.isnan(a) or math.isnan(b)):
            assert (b <= a) if inst.items[j].reverse else (b >= a)


@PROPERTY
@given(cases())
def test_batch_equals_one_at_a_time_and_shuffle_gives_shuffled_results(case: Case) -> None:
    battery, answers = case
    whole = score_battery(battery, answers, POLICY)
    perm = np.random.default_rng(answers.shape[0]).permutation(answers.shape[0])
    shuffled = score_battery(battery, answers[perm], POLICY)
    for i in range(answers.shape[0]):
        one = score_battery(battery, answers[i : i + 1], POLICY)
        assert one.level[0] == whole.level[i] and one.reasons[0] == whole.reasons[i]
    for iid in battery:
        a, b = whole.instruments[iid], shuffled.instruments[iid]
        for s in a.scores:
            np.testing.assert_array_equal(a.scores[s][perm], b.scores[s])
        np.testing.assert_array_equal(a.flags[perm], b.flags)
        np.testing.assert_array_equal(a.level[perm], b.level)
    np.testing.assert_array_equal(whole.level[perm], shuffled.level)


@PROPERTY
@given(cases(), st.integers(1, 7))
def test_layout_block_size_and_float32_do_not_change_results(case: Case, block: int) -> None:
    battery, answers = case
    base = score_battery(battery, answers, POLICY)
    variants = [
        score_battery(battery, np.asfortranarray(answers), POLICY, block_rows=block),
        score_battery(battery, answers.astype(np.float32), POLICY, block_rows=block),
    ]
    for other in variants:
        np.testing.assert_array_equal(base.level, other.level)
        np.testing.assert_array_equal(base.reasons, other.reasons)
        for iid in battery:
            for s, v in base.instruments[iid].scores.items():
                np.testing.assert_allclose(other.instruments[iid].scores[s], v, rtol=1e-6)
            for s, codes in base.instruments[iid].bands.items():
                np.testing.assert_array_equal(other.instruments[iid].bands[s], codes)
            np.testing.assert_array_equal(other.instruments[iid].flags, base.instruments[iid].flags)
