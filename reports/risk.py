"""Teachers by risk level: the headline table of a release, by every dimension (pure).

A respondent's level is the one stored on their response when they submitted
(``census.models.Response.risk_level``, plain: it routes care), or "not assessed" when none was
stored. Each table is a band table without scores: a row per group (the shown and hidden groups
of ``reports.groups``, the same as every other table) and the city, a count and a share (with its
95% Wilson interval) per level. The city's row is protected once and frozen in every dimension's
table, as for the band tables, and the same suppression applies (``reports.tables``). No mean:
a level is not a score.

The same levels with and without the responses the quality assessment flagged
(``census.quality.ResponseQuality.flagged``) form one more table: flagged, not flagged and all,
the last being the city's row. Only these counts leave here; which response was flagged never
does.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from reports.build import Microdata
from reports.dimensions import Dimension
from reports.disclosure import Protected
from reports.tables import (
    CITY,
    Table,
    count_texts,
    crosstab,
    protect_band_table,
    protect_city_row,
    share_texts,
)
from scoring.levels import RiskLevel

# Most severe first, as the bureau reads them; "not assessed" last (no level was stored).
LEVELS = (RiskLevel.CRISIS, RiskLevel.HIGH, RiskLevel.MODERATE, RiskLevel.LOW)
LEVEL_LABELS = ("危机 Crisis", "高风险 High", "中等 Moderate", "低 Low", "未评估 Not assessed")
NOT_ASSESSED = len(LEVELS)
TITLE = "风险等级 Teachers by risk level"
QUALITY_TITLE = "风险等级（含与不含质量标记作答）Risk levels with and without flagged responses"
QUALITY_ROWS = ("不含标记作答 Excluding flagged responses", "仅标记作答 Flagged responses only")
QUALITY_NOTE = (
    "“全市”含全部作答；质量标记只用于统计，不改变任何人的风险等级；未经质量评估的作答计为未标记。"
    " The city row holds every response. A quality flag never changes anyone's level; a response"
    " the assessment did not cover counts as not flagged."
)


def level_code(level: RiskLevel | str | None) -> int:
    """Index of a stored level in ``LEVELS``; ``NOT_ASSESSED`` for none."""
    if level is None:
        return NOT_ASSESSED
    return LEVELS.index(RiskLevel(level))


def columns() -> list[str]:
    """The header of a risk-level table: the group, n, then a count and a share per level."""
    return ["", "n", *[x for label in LEVEL_LABELS for x in (label, f"{label} %")]]


def _rows(names: list[str], full: NDArray[np.int64], result: Protected, k: int) -> list[list[str]]:
    counts, shares = count_texts(full, result, k), share_texts(full, result)
    rows = []
    for r, name in enumerate(names):
        paired = [x for c in range(len(LEVEL_LABELS)) for x in (counts[r][c], shares[r][c])]
        rows.append([name, counts[r][-1], *paired])
    return rows


def city_levels(data: Microdata, k: int) -> Protected:
    """The city's row of the risk-level tables, protected once (as ``protect_city_row``)."""
    levels = _levels(data)
    counts = np.bincount(levels, minlength=len(LEVEL_LABELS)).astype(np.int64)
    return protect_city_row(np.append(counts, counts.sum()), k)


def _levels(data: Microdata) -> NDArray[np.int64]:
    n = len(next(iter(data.codes.values()))) if data.codes else 0
    return data.levels if data.levels is not None else np.full(n, NOT_ASSESSED, np.int64)


def risk_table(
    data: Microdata, dim: Dimension, shown: NDArray[np.bool_], city: Protected, k: int
) -> Table:
    """Teachers by risk level in each group of ``dim``, protected like a band table."""
    full = crosstab(data.codes[dim.id], _levels(data), len(dim.labels), len(LEVEL_LABELS))
    result = protect_band_table(full, shown, city, k)
    rows = _rows([*dim.labels, CITY], full, result, k)
    return Table(f"{TITLE} · {dim.title}", columns(), rows, "", "risk", {"dimension": dim.id})


def risk_tables(data: Microdata, k: int, shown: dict[str, NDArray[np.bool_]]) -> list[Table]:
    """The risk-level table of every dimension with groups, sharing one protected city row."""
    city = city_levels(data, k)
    return [risk_table(data, d, shown[d.id], city, k) for d in data.dimensions if d.labels]


def quality_table(data: Microdata, k: int) -> Table | None:
    """Risk levels of the responses not flagged, flagged, and all; None without an assessment."""
    if data.flagged is None:
        return None
    groups = np.where(data.flagged, 1, 0).astype(np.int64)
    full = crosstab(groups, _levels(data), 2, len(LEVEL_LABELS))
    # Two groups and a frozen total: one group's n gives the other's, so both or neither.
    both = bool((full[:-1, -1] >= k).all())
    result = protect_band_table(full, np.array([both, both]), city_levels(data, k), k)
    rows = _rows([*QUALITY_ROWS, CITY], full, result, k)
    return Table(QUALITY_TITLE, columns(), rows, QUALITY_NOTE, "quality")
