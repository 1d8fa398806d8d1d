"""Differencing across dimensions within one release (protection.md test 24, NIST SI-19(5)).

Within a release, no two overlapping populations that a reader can size — shown groups of any
dimension, the city, and the unshown rest of a dimension (its size follows from the margins) —
may differ by 1 to k - 1 people. The check here is written independently of reports/groups.py.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from reports.groups import shown_groups


def _readable_populations(
    codes: dict[str, NDArray[np.int64]], shown: dict[str, NDArray[np.bool_]]
) -> list[NDArray[np.bool_]]:
    n = len(next(iter(codes.values())))
    populations = [np.ones(n, bool)]
    for name, column in codes.items():
        groups = np.flatnonzero(shown[name])
        populations += [column == g for g in groups]
        rest = ~np.isin(column, groups)
        if rest.any():
            populations.append(rest)
    return populations


def _assert_no_small_difference(
    codes: dict[str, NDArray[np.int64]], shown: dict[str, NDArray[np.bool_]], k: int
) -> None:
    for name, column in codes.items():
        for group in np.flatnonzero(shown[name]):
            members = column == group
            assert members.sum() >= k, (name, group)
            for other in _readable_populations(codes, shown):
                if not (members & other).any() or np.array_equal(members, other):
                    continue
                for difference in ((members & ~other).sum(), (other & ~members).sum()):
                    assert not 0 < difference < k, (name, group, int(difference))


def test_a_district_that_is_almost_one_school_level_is_not_shown_both_ways() -> None:
    # District 0 has 25 teachers; 23 of them are the city's only special-school teachers.
    district = np.array([0] * 25 + [1] * 40, dtype=np.int64)
    level = np.array([1] * 23 + [0] * 2 + [0] * 40, dtype=np.int64)
    codes = {"district": district, "level": level}
    shown = shown_groups(codes, {"district": 2, "level": 2}, k=10)
    assert not (shown["district"][0] and shown["level"][1])
    _assert_no_small_difference(codes, shown, 10)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=120),
    sizes=st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3)),
    k=st.sampled_from([5, 10]),
    seed=st.integers(0, 2**16),
)
def test_no_two_readable_populations_differ_by_fewer_than_k(
    n: int, sizes: tuple[int, int, int], k: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    names = ("district", "level", "gender")
    codes = {
        name: rng.integers(0, size, n).astype(np.int64)
        for name, size in zip(names, sizes, strict=True)
    }
    shown = shown_groups(codes, dict(zip(names, sizes, strict=True)), k)
    _assert_no_small_difference(codes, shown, k)


def test_the_check_itself_catches_a_release_that_shows_everything() -> None:
    district = np.array([0] * 25 + [1] * 40, dtype=np.int64)
    level = np.array([1] * 23 + [0] * 2 + [0] * 40, dtype=np.int64)
    everything = {"district": np.ones(2, bool), "level": np.ones(2, bool)}
    try:
        _assert_no_small_difference({"district": district, "level": level}, everything, 10)
    except AssertionError:
        return
    raise AssertionError("showing district 0 and the special schools must be caught")
