"""Published tables of a release, as strings: the same cells feed the page, CSV and XLSX.

Pure: takes group codes and band indices (numpy), returns tables. A band table's rows are the
shown and hidden groups and the city; its columns the bands (plus "not scored" when any score is
missing) and n. Each group's n is decided once (``reports.groups``) and frozen here, and the
city's row of each scale is protected once and frozen, so every table of a release agrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from reports.disclosure import Protected, protect
from reports.render import cell_text, pct_text, wilson

CITY = "全市 City"
NOT_SCORED = "未计分 Not scored"


@dataclass
class Table:
    """A titled grid of published strings; ``note`` carries labels such as local policy."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""
    kind: str = "counts"
    extra: dict[str, object] = field(default_factory=dict)


def crosstab(
    codes: NDArray[np.int64], bands: NDArray[np.int64], groups: int, cols: int
) -> NDArray[np.int64]:
    """Counts of each group × band, with a total column and a city row."""
    body = np.bincount(codes * cols + bands, minlength=groups * cols).reshape(groups, cols)
    full = np.zeros((groups + 1, cols + 1), dtype=np.int64)
    full[:-1, :-1] = body
    full[:-1, -1] = body.sum(axis=1)
    full[-1] = full[:-1].sum(axis=0)
    return full


def protect_city_row(counts: NDArray[np.int64], k: int) -> Protected:
    """The city's row of one scale, protected alone (its total, the city n, is frozen: shown
    alike in every table when at least k, and "< k" in every table when below)."""
    table = np.vstack([counts, counts])
    frozen = np.zeros(table.shape, bool)
    frozen[:, -1] = True
    return protect(table, k, frozen=frozen)


def protect_band_table(
    full: NDArray[np.int64], shown: NDArray[np.bool_], city: Protected, k: int
) -> Protected:
    """Suppress one dimension × scale table given its shown groups and the city's row."""
    frozen = np.zeros(full.shape, bool)
    forced = np.zeros(full.shape, bool)
    frozen[:-1, -1] = shown
    frozen[-1, :] = ~city.hidden[0]
    forced[:-1][~shown] = True
    forced[-1, :] = city.hidden[0]
    return protect(full, k, frozen=frozen, forced=forced)


def count_texts(full: NDArray[np.int64], result: Protected, k: int) -> list[list[str]]:
    """Every cell of a protected table as published."""
    return [
        [cell_text(int(full[r, c]), bool(result.hidden[r, c]), bool(result.primary[r, c]), k,
                   result.withheld) for c in range(full.shape[1])]
        for r in range(full.shape[0])
    ]  # fmt: skip


def share_texts(full: NDArray[np.int64], result: Protected) -> list[list[str]]:
    """Each shown cell's share of its row's shown n, with its 95% Wilson interval."""
    out = []
    for r in range(full.shape[0]):
        n, row = int(full[r, -1]), []
        for c in range(full.shape[1] - 1):
            if result.hidden[r, c] or result.hidden[r, -1] or n == 0:
                row.append("")
                continue
            lo, hi = wilson(int(full[r, c]), n)
            row.append(f"{pct_text(full[r, c] / n)} ({pct_text(lo)}–{pct_text(hi)})")
        out.append(row)
    return out


def mean_texts(
    codes: NDArray[np.int64], values: NDArray[np.float64], result: Protected, groups: int
) -> list[str]:
    """Mean score of each group and of the city (one decimal), "" where its row hides a count.

    A mean times the row's scored n is the sum of its scores, and each score lies within its
    band's range, so beside a hidden count a mean bounds how many can be in the high bands and
    the low ones: two districts' means pinned a "< 10" count to 4..9 (tests/reports/test_means).
    Adding those relations to the protection problem would withhold the mean of most rows with
    a hidden count anyway (a group of 30 with a mean of 2.5 has at most 3 PHQ-9 scores of 20 or
    more, whatever else is hidden), and would be only as safe as a linear reader who ignores
    that scores are whole numbers. So a mean is shown only where every count of its row is.
    What remains says nothing of a hidden count: the city's mean is shown only when its row is,
    and then the rows with hidden counts have known totals per band (the city's less the
    fully shown rows'), which already bound their combined sum as tightly as the city's mean.
    In a city, the districts and the large groups show every count and keep their means.
    """
    ok = ~np.isnan(values)
    sums = np.bincount(codes[ok], weights=values[ok], minlength=groups)
    counts = np.bincount(codes[ok], minlength=groups)
    shown = [not result.hidden[r].any() for r in range(groups + 1)]
    out = [f"{sums[g] / counts[g]:.1f}" if shown[g] and counts[g] else "" for g in range(groups)]
    out.append(f"{values[ok].mean():.1f}" if shown[-1] and ok.any() else "")
    return out
