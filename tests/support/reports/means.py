"""A population whose published means, read with the counts, would pin a hidden count: the case
the means tests build their tables from (protection.md test 24)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

K = 10
# Each group's PHQ-9 totals (NaN: not scored), by group label.
Groups = Mapping[str, Sequence[float]]
# Kroenke, Spitzer & Williams (2001): minimal, mild, moderate, moderately severe, severe.
PHQ9_BANDS = [(0.0, 4.0), (5.0, 9.0), (10.0, 14.0), (15.0, 19.0), (20.0, 27.0)]
# Found by a search over two-district populations: every row has a hidden count, and the
# districts' means (11.5 and 11.1) with the sums pin A's severe count (6) to 4..9.
GROUPS: Groups = {
    "A": [5] * 6 + [10] * 15 + [15] * 3 + [20] * 6,
    "B": [0] * 20 + [10] * 10 + [15] * 3 + [20] * 25,
}
SEVERE = 10  # the column of the severe count
