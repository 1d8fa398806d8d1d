"""``python -m scoring quality | reliability``: one wave's answer quality and scale reliability.

Both read teacher-wave lines (:mod:`scoring.teacher_lines`) from standard input as one wave.
``quality`` writes one line per non-blank input line, in input order: ``{"id", "flag",
"indices", "reasons"}`` (an index that cannot be computed is ``null``), or ``{"line": N,
"error": ...}``.  ``reliability`` writes the error lines first, then one line per score of each
instrument: ``{"instrument", "score", "n", "alpha", "omega", "alpha_ci", "omega_ci"}``.  The
exit status is 2 if any line was bad, else 0.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterable
from typing import Any, TextIO

from instruments import instruments_by_id
from scoring.quality import INDICES, assess_quality
from scoring.reliability import battery_reliability
from scoring.teacher_lines import TeacherWaves, read_teacher_waves

COMMANDS = ("quality", "reliability")


def add_commands(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register the analysis commands on the ``python -m scoring`` subparsers."""
    sub.add_parser("quality", parents=parents, help="careless-responding indices of one wave")
    sub.add_parser("reliability", parents=parents, help="alpha and omega of one wave's scales")


def run_analysis(command: str, numbered: Iterable[tuple[int, str | None]], out: TextIO) -> int:
    """Run ``quality`` or ``reliability`` on numbered input lines; return the exit status."""
    waves = read_teacher_waves(numbered, instruments_by_id())
    rows = quality_lines(waves) if command == "quality" else reliability_lines(waves)
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    out.flush()
    return 2 if waves.errors else 0


def quality_lines(waves: TeacherWaves) -> list[dict[str, Any]]:
    """One result per good line and one error per bad line, ordered by input line."""
    result = assess_quality(waves.battery, waves.answers, waves.page_seconds)
    rows: list[tuple[int, dict[str, Any]]] = [(e["line"], e) for e in waves.errors]
    for k, tid in enumerate(waves.ids):
        indices = {name: _number(result.indices[name][k]) for name in INDICES}
        row = {"id": tid, "flag": bool(result.flag[k]), "indices": indices,
               "reasons": result.reasons(k)}  # fmt: skip
        rows.append((int(waves.line[k]), row))
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


def reliability_lines(waves: TeacherWaves) -> list[dict[str, Any]]:
    """The error lines, then alpha and omega of every score of the battery."""
    rows: list[dict[str, Any]] = list(waves.errors)
    for r in battery_reliability(waves.battery, waves.answers):
        rows.append({"instrument": r.instrument, "score": r.score, "n": r.n,
                     "alpha": r.alpha, "omega": r.omega,
                     "alpha_ci": _pair(r.alpha_ci), "omega_ci": _pair(r.omega_ci)})  # fmt: skip
    return rows


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _pair(pair: tuple[float, float] | None) -> list[float] | None:
    return None if pair is None else [pair[0], pair[1]]
