"""How each district's share of high-or-crisis teachers moved since the last released wave.

Pure: counts in, a protected table of strings out. The interval of a change is Newcombe's hybrid
score interval for the difference of two independent proportions (Newcombe 1998, Stat Med
17:873-890, method 10), built from each wave's Wilson interval.

A district's share is published only where every count it would let a reader work out is at
least k, in that wave: its respondents, those at high or crisis and those below, and the high and
the crisis counts each (so the sum cannot be taken apart against a table of teachers by level).
Nor is it published unless that wave's table of teachers by risk level per district
(``reports.risk``) shows the district's n, crisis and high counts as numbers (the city's
likewise): where that table hides one of them, even one of at least k hidden to protect another,
the high-or-crisis count would take the row apart (crisis = (high + crisis) - high, then a small
cell from the row's n). Where all three are shown the share and its change add nothing a reader
did not have.
The earlier wave's figures are read from its frozen release, as it published them, never
recomputed: a later withdrawal cannot move a published figure, nor be read off a difference.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict
from typing import Any

import numpy as np
from numpy.typing import NDArray

from reports.render import pct_text, wilson
from reports.tables import CITY, Table

Z95 = 1.959964
NOT_SHOWN = "—"
LEVELS = ("crisis", "high")


def newcombe_difference(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> tuple[float, float]:
    """The interval of ``x1/n1 - x2/n2`` (Newcombe 1998, method 10: hybrid Wilson score).

    L = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), U = d + sqrt((u1 - p1)^2 + (p2 - l2)^2), where
    (l_i, u_i) is the Wilson interval of p_i."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    d = p1 - p2
    return d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2)


def publishable(n: int, crisis: int, high: int, k: int) -> bool:
    """Whether a group's high-or-crisis share may be shown (see the module docstring)."""
    both = crisis + high
    return n >= k and both >= k and n - both >= k and crisis >= k and high >= k


def complete_rows(risk: Sequence[Mapping[str, Any] | Table]) -> set[str] | None:
    """Names of the rows (districts, the city) whose n, crisis and high counts the risk-level
    table per district shows as numbers; None when there is no such table (nothing to undo)."""
    for table in risk:
        t = table if isinstance(table, Table) else Table(**table)
        if t.kind == "risk" and t.extra.get("dimension") == "district":
            # Columns: the group, n, then a count and a share per level, crisis and high first.
            return {str(row[0]) for row in t.rows
                    if all(str(x).isdigit() for x in (row[1], row[2], row[4]))}  # fmt: skip
    return None


def prevalence_counts(
    district: NDArray[np.int64], levels: Sequence[str | None], groups: int
) -> NDArray[np.int64]:
    """(groups + 1, 3): respondents, crisis, high per district, and the city in the last row."""
    level = np.asarray([str(v) for v in levels], dtype=object)
    out = np.zeros((groups + 1, 3), np.int64)
    out[:-1, 0] = np.bincount(district, minlength=groups)
    for column, name in enumerate(LEVELS, start=1):
        out[:-1, column] = np.bincount(district[level == name], minlength=groups)
    out[-1] = out[:-1].sum(axis=0)
    return out


def _share(n: int, hc: int) -> str:
    return pct_text(hc / n)


def _change(now: tuple[int, int], then: tuple[int, int]) -> tuple[str, str]:
    lo, hi = newcombe_difference(now[1], now[0], then[1], then[0])
    d = now[1] / now[0] - then[1] / then[0]
    return f"{100 * d:+.1f}", f"{100 * lo:+.1f} – {100 * hi:+.1f}"


def district_change(
    names: Sequence[str],
    counts: NDArray[np.int64],
    shown: NDArray[np.bool_],
    k: int,
    wave: str,
    earlier: tuple[str, Mapping[str, Any]] | None,
    complete: Collection[str] | None = None,
    complete_before: Collection[str] | None = None,
) -> dict[str, Any]:
    """The change table and the figures this release publishes (for the next one to compare).

    ``counts`` is :func:`prevalence_counts`; ``shown`` the districts the release shows at all;
    ``earlier`` the last release's (wave name, stored figures), or None; ``complete`` and
    ``complete_before`` the rows whose n, crisis and high counts each release's risk-level table
    per district shows (:func:`complete_rows`; None: that release has no such table)."""
    then_name, then = earlier if earlier is not None else ("", {})
    published: dict[str, list[int]] = {}
    rows = []
    for r, name in enumerate([*names, CITY]):
        n, crisis, high = (int(x) for x in counts[r])
        is_group_shown = r == len(names) or bool(shown[r])
        full_now = complete is None or name in complete
        full_then = complete_before is None or name in complete_before
        now = (
            (n, crisis + high)
            if is_group_shown and full_now and publishable(n, crisis, high, k)
            else None
        )
        before = then.get(name) if full_then else None
        cells = [NOT_SHOWN] * 6
        if before is not None:
            cells[0], cells[1] = str(before[0]), _share(before[0], before[1])
        if now is not None:
            published[name] = list(now)
            cells[2], cells[3] = str(now[0]), _share(*now)
        if now is not None and before is not None:
            cells[4], cells[5] = _change(now, (before[0], before[1]))
        rows.append([name, *cells])
    label = then_name or "上次 Last release"
    columns = ["", f"{label} n", f"{label} %", f"{wave} n", f"{wave} %",
               "变化 Change (百分点 pp)", "95% CI"]  # fmt: skip
    note = (
        f"高危或危机教师占比；区间为 Newcombe 混合得分法（1998）。“{NOT_SHOWN}”为未公开："
        f"该区人数、高危或危机人数、其余人数、高危与危机人数各自均须至少 {k}，"
        f"且该次发布的各区风险等级表公开该区人数、危机与高危人数。"
        f" Share of teachers at high or crisis; intervals by Newcombe's hybrid score method "
        f"(1998). “{NOT_SHOWN}” is not shown: the district's respondents, those at high or "
        f"crisis, the rest, and the high and the crisis counts must each be at least {k}, and "
        f"that release's table of risk levels by district must show the row's n, crisis and "
        f"high counts."
    )
    if earlier is None:
        note += " 无更早的发布可比较。 No earlier release to compare with."
    title = "各区高危或危机占比的变化 Change in each district's share at high or crisis"
    table = Table(title, columns, rows, note, "district_change")
    return {"table": asdict(table), "published": published}
