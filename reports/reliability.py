"""Do the scales hold here? Each released wave's alpha and omega, beside the published alpha.

For every score of every instrument the wave asked (``scoring.reliability``: complete rows,
reverse-keyed items turned, percentile bootstrap intervals), the table gives n, Cronbach's alpha
and one-factor McDonald's omega with 95% intervals, and the alpha pinned in the instrument file
with its source. A score is flagged when its alpha is below 0.70, or fell by more than 0.05 since
the last released wave: a rendering or translation fault, or careless answering, shows there
first. The earlier alpha is the one that release stored, as published.

n counts complete answers. It is shown as a number only when it equals the wave's respondents or
differs from them by at least k, so it never tells how few teachers left a scale incomplete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from instruments import instruments_by_id
from scoring.reliability import MIN_ROWS, ScaleReliability, battery_reliability

ALPHA_FLOOR = 0.70
ALPHA_FALL = 0.05
# A fall of exactly 0.05 is not "more than 0.05", whatever the binary rounding of the difference.
_EPSILON = 1e-9
NOT_SHOWN = "—"


def _n_text(n: int, respondents: int, k: int) -> str:
    if n < k:
        return f"< {k}"
    if n == respondents or respondents - n >= k:
        return str(n)
    return f"> {respondents - k}"


def _with_interval(value: float | None, interval: tuple[float, float] | None) -> str:
    if value is None:
        return NOT_SHOWN
    if interval is None:
        return f"{value:.2f}"
    return f"{value:.2f} ({interval[0]:.2f}–{interval[1]:.2f})"


def flags(alpha: float | None, before: float | None, before_name: str) -> list[str]:
    """Why a scale's alpha asks for a look: below 0.70, or down by more than 0.05."""
    out = []
    if alpha is not None and alpha < ALPHA_FLOOR:
        out.append(f"α < {ALPHA_FLOOR:.2f}")
    if alpha is not None and before is not None and before - alpha > ALPHA_FALL + _EPSILON:
        out.append(f"较 {before_name} 下降 {before - alpha:.2f} Fell {before - alpha:.2f} "
                   f"since {before_name}")  # fmt: skip
    return out


def _label(result: ScaleReliability) -> str:
    inst = instruments_by_id()[result.instrument]
    label = inst.score(result.score).label
    return f"{inst.short_name} {label.zh} {label.en}"


def _published(result: ScaleReliability) -> tuple[str, str]:
    """The published alpha as shown, and its line of the note (sample, source, caveat)."""
    inst = instruments_by_id()[result.instrument]
    entry = next((p for p in inst.published_reliability if p.score == result.score), None)
    if entry is None:
        return NOT_SHOWN, ""
    line = f"{_label(result)}: {entry.alpha:g}, {entry.sample}; {entry.source}"
    return f"α = {entry.alpha:g}", line + (f" ({entry.note})" if entry.note else "")


def reliability_table(
    battery: Sequence[str],
    answers: np.ndarray,
    respondents: int,
    k: int,
    earlier: tuple[str, Mapping[str, Any]] | None,
    *,
    draws: int = 200,
    seed: int = 0,
) -> dict[str, Any]:
    """The reliability table of one release and the alphas it stores for the next.

    ``answers`` is ``(respondents, items)`` in ``battery`` order; ``earlier`` the last release's
    (wave name, stored alphas by "instrument.score"), or None."""
    before_name, before = earlier if earlier is not None else ("", {})
    results = battery_reliability(battery, answers, draws=draws, seed=seed)
    rows, sources, alphas = [], [], {}
    for result in results:
        key = f"{result.instrument}.{result.score}"
        shown = result.n >= k
        alpha = result.alpha if shown else None
        if alpha is not None:
            alphas[key] = alpha
        published, line = _published(result)
        sources += [line] if line else []
        rows.append([
            _label(result),
            _n_text(result.n, respondents, k),
            _with_interval(alpha, result.alpha_ci),
            _with_interval(result.omega if shown else None, result.omega_ci),
            published,
            "；".join(flags(alpha, before.get(key), before_name)),
        ])  # fmt: skip
    note = (
        f"n 为完整作答人数；不足 {max(MIN_ROWS, k)} 人不计算。区间为 95% 百分位自助法"
        f"（{draws} 次）。提示：α 低于 {ALPHA_FLOOR:.2f}，或较上次发布下降超过 {ALPHA_FALL:.2f}"
        f"（可能是显示或翻译问题、或随意作答）。 n counts complete answers; no figure below "
        f"{max(MIN_ROWS, k)}. 95% percentile bootstrap intervals ({draws} draws). Flagged: α "
        f"below {ALPHA_FLOOR:.2f}, or fallen more than {ALPHA_FALL:.2f} since the last release "
        f"(a rendering or translation fault, or careless answering). 已发表 Published: "
        + " | ".join(sources)
    )
    columns = ["", "完整作答 Complete n", "Cronbach α (95% CI)", "McDonald ω (95% CI)",
               "已发表 α Published α", "提示 Flag"]  # fmt: skip
    title = "量表信度 Scale reliability"
    table = {"title": title, "columns": columns, "rows": rows, "note": note,
             "kind": "reliability", "extra": {}}  # fmt: skip
    return {"table": table, "alphas": alphas}


def answers_matrix(battery: Sequence[str], documents: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """``(len(documents), items)``: each response's answers ({item id: value}) in battery order,
    NaN where an item is unanswered."""
    instruments = instruments_by_id()
    ids = [item.id for inst_id in battery for item in instruments[inst_id].items]
    column = {item_id: c for c, item_id in enumerate(ids)}
    out = np.full((len(documents), len(ids)), np.nan)
    for r, doc in enumerate(documents):
        for item_id, value in doc.items():
            c = column.get(item_id)
            if c is not None and isinstance(value, int | float) and not isinstance(value, bool):
                out[r, c] = value
    return out
