"""Means beside hidden counts (protection.md test 24): a published mean must not let a reader
narrow a hidden count below k values.

A group's mean times its n is the sum of its scores, and each respondent's score lies within
their band's published range (PHQ-9: Kroenke, Spitzer & Williams 2001, 0–4, 5–9, 10–14, 15–19,
20–27); so a mean bounds how many can be in the high bands, and how many in the low ones. With
the table's sums, two districts' means pinned a "< 10" count to 4..9 in the population below.
The independent auditor (``tests/support/reports/auditor.py``) reads the means with the counts, by
linear programming, and checks that every hidden count still spans k values.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.build import Microdata, build_tables
from reports.dimensions import Dimension
from reports.tables import Table
from tests.support.reports.auditor import band_table_ranges
from tests.support.reports.means import GROUPS, PHQ9_BANDS, SEVERE, Groups, K

# The scale the groups' totals are scores of.
PHQ9 = "phq9.total"
# Large enough that every count is shown.
FULL: Groups = {
    "C": [0] * 12 + [5] * 12 + [10] * 12 + [15] * 12 + [20] * 12,
    "D": [2] * 20 + [7] * 15 + [12] * 11 + [17] * 10 + [25] * 10,
}


def _microdata(groups: Groups) -> Microdata:
    labels = tuple(groups)
    codes = np.concatenate([np.full(len(v), i, np.int64) for i, v in enumerate(groups.values())])
    scores = np.concatenate([np.asarray(v, np.float64) for v in groups.values()])
    return Microdata(
        dimensions=(Dimension("district", "区 District", labels),),
        codes={"district": codes},
        scores={PHQ9: scores},
        invited={},
        consented={},
    )


def _phq9_table(groups: Groups, k: int = K) -> Table:
    (table,) = [t for t in build_tables(_microdata(groups), k) if t.extra.get("scale") == PHQ9]
    return table


def _true_counts(groups: Groups) -> list[list[int]]:
    """n, then each band's count (and the not-scored), per group and for the city."""
    rows = []
    for values in [*groups.values(), [x for v in groups.values() for x in v]]:
        array = np.asarray(values, np.float64)
        scored = array[~np.isnan(array)]
        band = np.searchsorted([lo for lo, _hi in PHQ9_BANDS], scored, side="right") - 1
        counts = np.bincount(band, minlength=len(PHQ9_BANDS)).tolist()
        rows.append([len(array), *counts, int(np.isnan(array).sum())])
    return rows


def assert_means_keep_hidden_counts_wide(table: Table, groups: Groups, k: int = K) -> None:
    """Every hidden count, read with the published means, spans at least k values."""
    truth = _true_counts(groups)
    for (r, c), (lo, hi) in band_table_ranges(table.rows, PHQ9_BANDS, k).items():
        true = truth[r][0] if c == 1 else truth[r][1 + (c - 2) // 2]  # n, a band, not scored
        assert lo <= true <= hi, (r, c, lo, hi)
        assert hi - lo + 1 >= k, (table.rows[r][0], table.columns[c], lo, hi, table.rows)


def test_a_mean_beside_a_hidden_count_would_pin_it_so_it_is_withheld() -> None:
    table = _phq9_table(GROUPS)
    assert table.rows[0][SEVERE] == "< 10"
    # The attack: the districts' true means beside the published counts pin A's severe count.
    true_means = [f"{np.mean(v):.1f}" for v in GROUPS.values()]
    attacked = [[*row[:-1], mean] for row, mean in zip(table.rows, [*true_means, ""])]  # noqa: B905
    assert band_table_ranges(attacked, PHQ9_BANDS, K)[(0, SEVERE)] == (4, 9)
    # As published, a row with a hidden count shows no mean, and nothing can be pinned.
    assert [row[-1] for row in table.rows] == ["", "", ""]
    assert_means_keep_hidden_counts_wide(table, GROUPS)


def test_a_row_that_shows_every_count_keeps_its_mean() -> None:
    table = _phq9_table(FULL)
    everyone = [x for v in FULL.values() for x in v]
    means = [f"{np.mean(v):.1f}" for v in [*FULL.values(), everyone]]
    assert all(row[c].isdigit() for row in table.rows for c in [1, *range(2, len(row) - 1, 2)])
    assert [row[-1] for row in table.rows] == means


totals = st.one_of(st.integers(0, 27).map(float), st.just(float("nan")))
populations = st.lists(st.lists(totals, min_size=0, max_size=45), min_size=1, max_size=4).map(
    lambda groups: {f"g{i}": values for i, values in enumerate(groups)}
)


@settings(max_examples=40, deadline=None)
@given(groups=populations, k=st.sampled_from([5, 10]))
def test_no_published_mean_narrows_a_hidden_count_below_k_values(groups: Groups, k: int) -> None:
    # Cities below k included: their n is "< k" like any group's, and the auditor reads it so.
    assert_means_keep_hidden_counts_wide(_phq9_table(groups, k), groups, k)
