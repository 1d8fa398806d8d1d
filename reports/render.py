"""How a released figure reads: a count, "< k", a suppression mark, a coded percentage."""

from __future__ import annotations

import math

SUPPRESSED = "x"
# A table that could not be protected cell by cell is not released at all: the mark says nothing.
WITHHELD = "—"
# Percentages are top- and bottom-coded: nearer 0% or 100% than this is shown as a range, so a
# share never says "all but a few" or "only a few" more precisely than the counts may.
PCT_FLOOR = 1.0


def cell_text(value: int, hidden: bool, primary: bool, k: int, withheld: bool = False) -> str:
    """A count as published: the number, "< k" for 0 to k - 1, or the suppression mark.

    A count below k is never published as a number: asked to, this refuses (the release is not
    built) rather than print it. ``reports.disclosure.primary_cells`` hides every such count.
    """
    if not hidden:
        if value < k:
            raise ValueError("a count below k is never shown as a number")
        return str(value)
    if withheld:
        return WITHHELD
    return f"< {k}" if primary else SUPPRESSED


def figure_text(value: float, k: int, form: str = "{}") -> str:
    """A figure made of counts of teachers (a median, a maximum): "< k" below k, else the value."""
    return f"< {k}" if value < k else form.format(value)


def pct_text(share: float | None) -> str:
    """A share as a coded percentage with one decimal ("" when it is not shown)."""
    if share is None or math.isnan(share):
        return ""
    pct = 100.0 * share
    if pct < PCT_FLOOR:
        return f"< {PCT_FLOOR:g}%"
    if pct > 100.0 - PCT_FLOOR:
        return f"> {100.0 - PCT_FLOOR:g}%"
    return f"{pct:.1f}%"


def wilson(count: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The 95% Wilson score interval of ``count / n`` (Wilson 1927; Brown, Cai & DasGupta 2001)."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = count / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
