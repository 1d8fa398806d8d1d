"""Suppression of one table (protection.md test 24), checked by an independent auditor."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.bounds import hidden_ranges, is_protected, rectangle_protected, shuttle_ranges
from reports.disclosure import protect
from reports.render import cell_text
from tests.support.reports.auditor import published_ranges


def with_margins(body: np.ndarray) -> np.ndarray:
    """The body with a total column and a total row."""
    full = np.zeros((body.shape[0] + 1, body.shape[1] + 1), dtype=np.int64)
    full[:-1, :-1] = body
    full[:-1, -1] = body.sum(axis=1)
    full[-1, :] = full[:-1, :].sum(axis=0)
    return full


def shown(values: np.ndarray, k: int) -> list[list[str]]:
    """The table as published."""
    result = protect(values, k)
    return [
        [cell_text(int(values[r, c]), bool(result.hidden[r, c]), bool(result.primary[r, c]), k,
                   result.withheld)
         for c in range(values.shape[1])]
        for r in range(values.shape[0])
    ]  # fmt: skip


def assert_safe(values: np.ndarray, k: int, table: list[list[str]] | None = None) -> None:
    """No shown count below k, and every hidden one at least k values wide to the auditor."""
    table = shown(values, k) if table is None else table
    for r, row in enumerate(table):
        for c, text in enumerate(row):
            if text.isdigit():
                assert int(text) == values[r, c]
                assert int(text) >= k, (text, k)
    for cell, (lo, hi) in published_ranges(table, k).items():
        assert lo <= values[cell] <= hi
        assert hi - lo + 1 >= k, (cell, lo, hi, table)


tables = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda cols: st.lists(
            st.lists(
                st.one_of(st.integers(0, 12), st.integers(0, 60)), min_size=cols, max_size=cols
            ),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=60, deadline=None)
@given(body=tables, k=st.sampled_from([5, 10]))
def test_no_hidden_count_can_be_narrowed_below_k_values(body: list[list[int]], k: int) -> None:
    assert_safe(with_margins(np.array(body, dtype=np.int64)), k)


@pytest.mark.parametrize("n", range(16))
def test_a_group_of_every_size_from_0_to_15_with_every_band_split(n: int) -> None:
    k = 10
    for small in range(n + 1):
        body = np.array([[n - small, small], [30, 25], [40, 12]], dtype=np.int64)
        table = shown(with_margins(body), k)
        assert_safe(with_margins(body), k, table)
        if n < k:
            assert not table[0][-1].isdigit()


def test_a_single_small_cell_takes_a_partner_in_its_row_and_column() -> None:
    values = with_margins(np.array([[3, 40, 50], [30, 60, 70]], dtype=np.int64))
    result = protect(values, 10)
    assert result.hidden[0, 0]
    assert result.hidden[0].sum() >= 2 and result.hidden[:, 0].sum() >= 2


def test_frozen_cells_never_change_and_bad_margins_are_refused() -> None:
    values = with_margins(np.array([[3, 40], [30, 60]], dtype=np.int64))
    frozen = np.zeros(values.shape, bool)
    frozen[:, -1] = True
    result = protect(values, 10, frozen=frozen)
    assert not result.hidden[:, -1].any()
    values[0, 0] = 4
    with pytest.raises(ValueError, match="margins"):
        protect(values, 10)


@pytest.mark.parametrize("n", range(16))
def test_a_frozen_total_below_k_is_hidden_all_the_same(n: int) -> None:
    # The city's n is frozen so every table agrees; a city of n < k is a group below k.
    values = with_margins(np.array([[n - n // 3, n // 3]], dtype=np.int64))
    frozen = np.zeros(values.shape, bool)
    frozen[:, -1] = True
    result = protect(values, 10, frozen=frozen)
    assert bool(result.hidden[0, -1]) == bool(result.hidden[-1, -1]) == (n < 10)
    table = [[cell_text(int(values[r, c]), bool(result.hidden[r, c]), bool(result.primary[r, c]),
                        10, result.withheld) for c in range(3)] for r in range(2)]  # fmt: skip
    assert_safe(values, 10, table)


def test_a_table_given_up_still_hides_its_frozen_counts_below_k() -> None:
    # Two frozen rows of 3 and 4: no partner can be hidden, so the table is withheld; the
    # frozen totals below k are withheld with it, never left as numbers.
    values = with_margins(np.array([[1, 2], [2, 2], [30, 30]], dtype=np.int64))
    frozen = np.ones(values.shape, bool)
    result = protect(values, 10, frozen=frozen)
    shown = ~result.hidden
    assert (values[shown] >= 10).all()
    assert result.withheld and result.hidden[0, -1] and result.hidden[1, -1]


def test_a_count_below_k_is_never_rendered_as_a_number() -> None:
    with pytest.raises(ValueError, match="below k"):
        cell_text(7, hidden=False, primary=False, k=10)
    assert cell_text(7, hidden=True, primary=True, k=10) == "< 10"


@settings(max_examples=30, deadline=None)
@given(body=tables, k=st.sampled_from([5, 10]), seed=st.integers(0, 2**16))
def test_cheap_proofs_agree_with_exact_bounds(body: list[list[int]], k: int, seed: int) -> None:
    """A rectangle only ever proves a cell safe, the shuttle only ever proves one weak."""
    values = with_margins(np.array(body, dtype=np.int64))
    hidden = np.random.default_rng(seed).random(values.shape) < 0.5
    primary = hidden & (values < k)
    hidden &= primary | (values >= k)  # a cell marked "x" is at least k, as published
    lower = np.where(primary, 0.0, float(k))
    upper = np.where(primary, float(k - 1), np.inf)
    exact = hidden_ranges(values, hidden, lower, upper)
    for cell in rectangle_protected(values, hidden, lower, upper, k):
        assert is_protected(*exact[cell], k), cell
    for cell, (lo, hi) in shuttle_ranges(values, hidden, lower, upper).items():
        assert lo <= exact[cell][0] + 1e-6 and exact[cell][1] <= hi + 1e-6, cell
