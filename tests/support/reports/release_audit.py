"""What every released report must hold in every format it reaches a reader in (protection.md
test 24): a group — the city included — is shown only with at least k respondents; a count of
1 to k - 1 is never a number, nor an exact percentage or a mean, nor derivable from the sums.

The checks read ``tests.support.reports.published`` forms only (strings as a reader gets them)
and use the independent auditor (``tests.support.reports.auditor``) for what the sums let a
reader derive.
"""

from __future__ import annotations

import re

from tests.support.reports.auditor import band_table_ranges, published_ranges
from tests.support.reports.means import PHQ9_BANDS
from tests.support.reports.published import Grid, Report, svg_texts, svg_title

RESPONDENTS = "作答人数 Respondents"
MEAN = "均值 Mean"
# Counts of staff and a setting, not of teachers: the only numbers allowed below k.
STAFF = {"有个案的心理教师 Psychologists with cases", "上限 Cap", "达到上限 At or over cap"}
NUMBER = re.compile(r"^\d+(\.\d+)?$")
SHARE = re.compile(r"^\d+(\.\d+)?%")
PHQ9_TITLE = "PHQ-9 总分 Total score · "


def is_band_table(grid: Grid) -> bool:
    """A scale × dimension table: label, n, a count and a share per band, then the mean."""
    return len(grid.columns) > 3 and grid.columns[1] == "n" and grid.columns[-1] == MEAN


def is_level_table(grid: Grid) -> bool:
    """A risk-level table: label, n, then a count and a share per level (no mean)."""
    return len(grid.columns) > 3 and grid.columns[1] == "n" and grid.columns[-1].endswith(" %")


def _shown(text: str, k: int) -> bool:
    """A count published as a number of at least k (anything else is not a number at all)."""
    return text.isdigit() and int(text) >= k


def assert_formats_agree(reports: dict[str, Report]) -> None:
    """The page, the print page and both exports show the same respondents and the same cells."""
    (first, base), *others = reports.items()
    for name, other in others:
        assert other.facts[RESPONDENTS] == base.facts[RESPONDENTS], (first, name)
        assert [(t.title, t.columns, t.rows) for t in other.tables] == [
            (t.title, t.columns, t.rows) for t in base.tables
        ], (first, name)


def assert_no_small_figure(report: Report, k: int, respondents: int) -> None:
    """No number below k but staff counts; shares and means only beside counts of k or more."""
    shown = report.facts[RESPONDENTS]
    assert shown == (str(respondents) if respondents >= k else f"< {k}"), (shown, respondents)
    assert report.tables, "a release always publishes its tables"
    for grid in report.tables:
        for row in grid.rows:
            for column, text in zip(grid.columns, row, strict=True):
                if NUMBER.match(text) and column not in STAFF and column != MEAN:
                    assert float(text) >= k, (grid.title, row[0], column, text)
        if is_band_table(grid):
            _assert_shares_and_means_beside_shown_counts(grid, k)
        if is_level_table(grid):
            for row in grid.rows:
                for c in range(2, len(row), 2):
                    if row[c + 1]:  # a share: of a shown count, in a row whose n is shown
                        assert _shown(row[c], k) and _shown(row[1], k), (grid.title, row)


def _assert_shares_and_means_beside_shown_counts(grid: Grid, k: int) -> None:
    for row in grid.rows:
        counts = row[2:-1:2]
        for c in range(2, len(row) - 1, 2):
            if row[c + 1]:  # a share: of a shown count, in a row whose n is shown
                assert _shown(row[c], k) and _shown(row[1], k), (grid.title, row)
        if row[-1]:  # a mean: only where the row's n and every count are shown
            assert _shown(row[1], k) and all(_shown(x, k) for x in counts), (grid.title, row)


def assert_hidden_counts_wide(report: Report, k: int) -> None:
    """Every hidden count of the participation, band and risk-level tables spans at least k
    values."""
    for grid in report.tables:
        if grid.title.startswith(PHQ9_TITLE) and is_band_table(grid):
            ranges = band_table_ranges(grid.rows, PHQ9_BANDS, k)
        elif is_band_table(grid):  # other scales: counts and n (band ranges aside)
            ranges = published_ranges([[*row[2:-1:2], row[1]] for row in grid.rows], k)
        elif is_level_table(grid):  # risk levels: counts and n
            ranges = published_ranges([[*row[2::2], row[1]] for row in grid.rows], k)
        elif grid.title.startswith("参与 Participation"):
            ranges = published_ranges([row[1:] for row in grid.rows], k)
        else:
            continue
        for cell, (lo, hi) in ranges.items():
            assert hi - lo + 1 >= k, (grid.title, cell, lo, hi, grid.rows)


def assert_charts_show_only_published(report: Report, charts: list[str], k: int) -> None:
    """A heat map labels a cell with a percentage only where its table shows that share; a
    trend chart plots only the shares its table shows as numbers."""
    by_title = {grid.title: grid for grid in report.tables}
    assert charts, "a release with band tables draws charts"
    for svg in charts:
        title = svg_title(svg)
        grid = by_title[title]
        if title.startswith("趋势 Trend"):
            numbers = sum(bool(SHARE.match(x)) for row in grid.rows for x in row[1:])
            assert svg.count("<circle") == numbers, title
            continue
        rows: dict[float, list[str]] = {}
        texts = svg_texts(svg)
        first = min(y for x, y, _text in texts if x == 4)  # x = 4 is a row's label
        for x, y, text in texts:
            if x != 4 and y >= first:  # the band names are above the first row
                rows.setdefault(y, []).append(text)
        values = [labels for _y, labels in sorted(rows.items())]
        assert len(values) == len(grid.rows), title
        for labels, row in zip(values, grid.rows, strict=True):
            for label, c in zip(labels, range(2, len(row) - 1, 2), strict=True):
                if SHARE.match(label):
                    assert row[c + 1] and _shown(row[c], k), (title, row[0], label)
                else:  # a mark, the same as the table's
                    assert label in (row[c], row[c + 1].split(" (")[0]), (title, label, row)


def assert_release_keeps_every_promise(
    reports: dict[str, Report], charts: list[str], k: int, respondents: int
) -> None:
    """All of the above, on every format of one release."""
    assert_formats_agree(reports)
    report = next(iter(reports.values()))
    assert_no_small_figure(report, k, respondents)
    assert_hidden_counts_wide(report, k)
    assert_charts_show_only_published(report, charts, k)
