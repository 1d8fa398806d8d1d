"""The synthetic census: shares where tuned, reproducible, the process it claims, CLI lines."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from instruments import instruments_by_id
from scoring import score_battery
from scoring.synthetic import NON_RESPONSE, RHO, SyntheticCensus, synthetic_census
from scoring.teacher_lines import read_teacher_waves


@pytest.fixture(scope="module")
def city() -> SyntheticCensus:
    return synthetic_census(30_000, 3, seed=11)


def column(item_id: str) -> int:
    insts = instruments_by_id()
    start = 0
    for iid in ("phq9", "gad7", "who5", "k10", "pss10", "cbi"):
        ids = [it.id for it in insts[iid].items]
        if item_id in ids:
            return start + ids.index(item_id)
        start += len(ids)
    raise KeyError(item_id)


def test_default_policy_levels_land_where_tuned(city: SyntheticCensus) -> None:
    w = city.waves[0]
    level = score_battery(city.battery, w.answers[w.responded]).level
    assert 0.02 <= np.mean(level == 4) <= 0.045  # crisis
    assert 0.035 <= np.mean(level == 3) <= 0.07  # high
    assert 0.18 <= np.mean(level == 2) <= 0.26  # moderate
    item9 = w.answers[w.responded & ~w.careless, column("phq9_9")]
    assert 0.005 <= np.mean(item9 >= 1) <= 0.03  # rare among honest answers


def test_same_seed_same_census_and_another_seed_another() -> None:
    a, b, c = (synthetic_census(500, 2, seed=s) for s in (3, 3, 4))
    for wa, wb in zip(a.waves, b.waves, strict=True):
        np.testing.assert_array_equal(wa.answers, wb.answers)
        np.testing.assert_array_equal(wa.page_seconds, wb.page_seconds)
        np.testing.assert_array_equal(wa.careless, wb.careless)
    assert not np.array_equal(a.waves[0].latent, c.waves[0].latent)


def test_latent_is_standard_normal_and_correlates_rho_across_waves(city: SyntheticCensus) -> None:
    lat = [w.latent for w in city.waves]
    for x in lat:
        assert abs(x.mean()) < 0.03 and abs(x.std() - 1) < 0.03
    assert abs(np.corrcoef(lat[0], lat[1])[0, 1] - RHO) < 0.02
    assert abs(np.corrcoef(lat[1], lat[2])[0, 1] - RHO) < 0.02


def test_non_respondents_are_blank_and_respondents_complete(city: SyntheticCensus) -> None:
    w = city.waves[1]
    assert abs((1 - w.responded.mean()) - NON_RESPONSE) < 0.01
    assert np.isnan(w.answers[~w.responded]).all() and np.isnan(w.page_seconds[~w.responded]).all()
    assert not np.isnan(w.answers[w.responded]).any()
    assert not w.careless[~w.responded].any()


def test_careless_rows_are_labelled_and_look_careless(city: SyntheticCensus) -> None:
    w = city.waves[0]
    assert abs(w.careless[w.responded].mean() - 0.05) < 0.006
    kind = w.careless_kind
    per_item = w.page_seconds / np.array([9, 7, 5, 10, 10, 19])
    assert (per_item[kind == 3] < 2).all()  # rushed: under the 2 s cut-off
    honest = w.responded & ~w.careless
    assert 3.5 < np.median(per_item[honest]) < 7
    phq = w.answers[kind == 1][:, :9]
    assert (phq == phq[:, :1]).all()  # a straight line down one column
    none = synthetic_census(2000, 1, careless_share=0.0, seed=1)
    assert not none.waves[0].careless.any()


@pytest.mark.parametrize(
    ("item", "sign"),
    [("phq9_1", 1), ("who5_1", -1), ("pss10_1", 1), ("pss10_4", -1), ("cbi_w1", 1),
     ("cbi_w7", -1), ("k10_1", 1)],
)  # fmt: skip
def test_items_answer_in_their_published_direction(
    city: SyntheticCensus, item: str, sign: int
) -> None:
    w = city.waves[0]
    honest = w.responded & ~w.careless
    r = np.corrcoef(w.answers[honest, column(item)], w.latent[honest])[0, 1]
    assert sign * r > 0.3


def test_oracle_is_calibrated_and_discriminates(city: SyntheticCensus) -> None:
    nxt = city.waves[1]
    y = score_battery(city.battery, nxt.answers[nxt.responded]).level >= 3
    p = city.oracle_probability(0)[nxt.responded]
    assert abs(p.mean() - y.mean()) < 0.01
    assert 0.7 < roc_auc_score(y, p) < 0.9


def test_context_spans_a_dozen_schools_in_three_districts() -> None:
    small = synthetic_census(100, 1, seed=2)
    assert len(np.unique(small.school)) >= 12 and len(np.unique(small.district)) >= 3
    assert set(small.gender) <= {"F", "M"} and (small.years_of_service >= 0).all()
    assert small.ids[0] == "S000001" and len(set(small.ids)) == 100


def test_lines_read_back_through_the_cli_reader() -> None:
    census = synthetic_census(300, 2, seed=5)
    text = [json.dumps(x) for x in census.lines(1)]
    read = read_teacher_waves(enumerate(text, 1), instruments_by_id())
    w = census.waves[1]
    assert read.errors == [] and read.battery == census.battery
    assert read.ids == [census.ids[i] for i in np.flatnonzero(w.responded)]
    assert (read.wave == 2).all()
    np.testing.assert_array_equal(read.answers, w.answers[w.responded])
    np.testing.assert_allclose(read.page_seconds, w.page_seconds[w.responded], atol=0.05)
