"""Each district's change in high-or-crisis share: Newcombe's interval, and disclosure control."""

from __future__ import annotations

import numpy as np
import pytest

from reports.district_change import (
    district_change,
    newcombe_difference,
    prevalence_counts,
    publishable,
)
from reports.tables import CITY

# Newcombe RG. Interval estimation for the difference between independent proportions:
# comparison of eleven methods. Stat Med 1998;17:873-890, Table II, method 10 (z = 1.96).
NEWCOMBE_1998 = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
]


@pytest.mark.parametrize(("counts", "interval"), NEWCOMBE_1998)
def test_the_interval_reproduces_newcombes_worked_examples(
    counts: tuple[int, int, int, int], interval: tuple[float, float]
) -> None:
    low, high = newcombe_difference(*counts, z=1.96)
    assert low == pytest.approx(interval[0], abs=5e-5)
    assert high == pytest.approx(interval[1], abs=5e-5)


def test_no_events_in_either_wave_gives_the_wilson_upper_bound_both_ways() -> None:
    # By hand: 0/10 has the Wilson interval [0, z^2 / (n + z^2)] = [0, 3.8416 / 13.8416].
    bound = 1.96**2 / (10 + 1.96**2)
    low, high = newcombe_difference(0, 10, 0, 10, z=1.96)
    assert (low, high) == pytest.approx((-bound, bound))
    assert bound == pytest.approx(0.2775, abs=5e-5)


@pytest.mark.parametrize(
    ("n", "crisis", "high", "shown"),
    [(60, 10, 10, True), (60, 9, 30, False), (60, 30, 9, False), (9, 0, 0, False),
     (45, 20, 20, False), (30, 10, 10, True)],
)  # fmt: skip
def test_a_share_is_shown_only_when_every_count_behind_it_is_at_least_k(
    n: int, crisis: int, high: int, shown: bool
) -> None:
    assert publishable(n, crisis, high, 10) is shown


def _levels(*parts: tuple[int, str | None]) -> list[str | None]:
    return [level for count, level in parts for _ in range(count)]


def test_the_table_compares_with_the_figures_the_last_release_published() -> None:
    # District 0: 100 respondents, 15 crisis, 15 high. District 1: only 4 crisis (< k).
    levels = _levels((15, "crisis"), (15, "high"), (70, "low"), (4, "crisis"), (20, "high"),
                     (36, None))  # fmt: skip
    district = np.array([0] * 100 + [1] * 60)
    counts = prevalence_counts(district, levels, 2)
    assert counts.tolist() == [[100, 15, 15], [60, 4, 20], [160, 19, 35]]
    earlier = ("W1", {"一区": [80, 20], "二区": [50, 25]})
    out = district_change(["一区", "二区"], counts, np.array([True, True]), 10, "W2", earlier)
    rows = {row[0]: row[1:] for row in out["table"]["rows"]}
    low, high = newcombe_difference(30, 100, 20, 80)
    assert rows["一区"] == ["80", "25.0%", "100", "30.0%", "+5.0",
                           f"{100 * low:+.1f} – {100 * high:+.1f}"]  # fmt: skip
    # Two never shows its share: its crisis count (4) would follow from it and the high count.
    assert rows["二区"] == ["50", "50.0%", "—", "—", "—", "—"]
    assert rows[CITY][2:4] == ["160", "33.8%"]
    assert out["published"] == {"一区": [100, 30], CITY: [160, 54]}
    assert out["table"]["columns"][1] == "W1 n"


def test_a_district_the_release_hides_is_never_shown_and_nothing_is_stored_for_it() -> None:
    levels = _levels((20, "crisis"), (20, "high"), (60, "low"))
    counts = prevalence_counts(np.zeros(100, np.int64), levels, 1)
    out = district_change(["一区"], counts, np.array([False]), 10, "W1", None)
    assert out["table"]["rows"][0] == ["一区", "—", "—", "—", "—", "—", "—"]
    assert "一区" not in out["published"]
    assert "No earlier release" in out["table"]["note"]
