"""Read the input of `python -m scoring quality | reliability | forecast`: a teacher-wave a line.

A line is ``{"id": "T1", "wave": 1, "battery": {"phq9": [...], ...}, "page_seconds": {...}}``:
answers in each instrument's item order as published values (``null`` unanswered), as ``score``
takes them; ``page_seconds`` (optional) is the time each instrument's page was open.  An
instrument left out of ``battery`` counts as not answered.  A bad line becomes an error with the
same words as ``score`` gives, and the rest are read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from instruments import Instrument
from scoring.lines import LineError, load_object, parse_answers

# The census battery in clinical order: the columns of every matrix read here.
ANALYSIS_BATTERY = ("phq9", "gad7", "who5", "k10", "pss10", "cbi")


@dataclass(frozen=True)
class TeacherWaves:
    """The good lines of one input, as arrays, and the bad ones as ``{"line", "error"}``."""

    battery: tuple[str, ...]
    line: np.ndarray  # (n,) input line number of each row
    ids: list[str]
    wave: np.ndarray  # (n,) int
    answers: np.ndarray  # (n, battery items) float, NaN unanswered
    page_seconds: np.ndarray  # (n, len(battery)) float, NaN unknown
    errors: list[dict[str, Any]]


def read_teacher_waves(
    numbered: Iterable[tuple[int, str | None]], instruments: Mapping[str, Instrument]
) -> TeacherWaves:
    """Parse ``(line number, text)`` pairs; text ``None`` means the bytes were not UTF-8."""
    battery = ANALYSIS_BATTERY
    width = sum(instruments[i].n_items for i in battery)
    lines, ids, waves, rows, seconds, errors = [], [], [], [], [], []
    for n, text in numbered:
        if text is None:
            errors.append({"line": n, "error": "not valid UTF-8"})
            continue
        try:
            tid, wave, row, secs = parse_teacher_line(text, instruments, battery)
        except LineError as exc:
            errors.append({"line": n, "error": str(exc)})
            continue
        lines.append(n)
        ids.append(tid)
        waves.append(wave)
        rows.append(row)
        seconds.append(secs)
    return TeacherWaves(
        battery=battery,
        line=np.array(lines, dtype=np.int64),
        ids=ids,
        wave=np.array(waves, dtype=np.int64),
        answers=np.array(rows, dtype=np.float64).reshape(len(rows), width),
        page_seconds=np.array(seconds, dtype=np.float64).reshape(len(rows), len(battery)),
        errors=errors,
    )


def parse_teacher_line(
    text: str, instruments: Mapping[str, Instrument], battery: tuple[str, ...]
) -> tuple[str, int, list[float], list[float]]:
    """``(id, wave, answers across the battery, page seconds per instrument)`` or LineError."""
    obj = load_object(text, ("id", "wave", "battery"))
    tid, wave, given = obj["id"], obj["wave"], obj["battery"]
    if not isinstance(tid, str | int) or isinstance(tid, bool) or str(tid) == "":
        raise LineError("'id' must be a non-empty string or an integer")
    if not isinstance(wave, int) or isinstance(wave, bool):
        raise LineError("'wave' must be an integer")
    if not isinstance(given, dict):
        raise LineError("'battery' must be an object of instrument ids to answer arrays")
    unknown = sorted(set(given) - set(battery))
    if unknown:
        raise LineError(f"unknown instrument {unknown[0]!r} (known: {', '.join(battery)})")
    row: list[float] = []
    for iid in battery:
        inst = instruments[iid]
        row += parse_answers(given[iid], inst) if iid in given else [math.nan] * inst.n_items
    return str(tid), wave, row, _page_seconds(obj.get("page_seconds"), battery)


def _page_seconds(raw: Any, battery: tuple[str, ...]) -> list[float]:
    if raw is None:
        return [math.nan] * len(battery)
    if not isinstance(raw, dict):
        raise LineError("'page_seconds' must be an object of instrument ids to seconds")
    unknown = sorted(set(raw) - set(battery))
    if unknown:
        raise LineError(f"'page_seconds': unknown instrument {unknown[0]!r}")
    seconds = []
    for iid in battery:
        value = raw.get(iid)
        if value is None:
            seconds.append(math.nan)
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise LineError(f"'page_seconds' of {iid} must be a number of seconds")
        if not math.isfinite(value) or value < 0:
            raise LineError(f"'page_seconds' of {iid} must be a finite number >= 0")
        seconds.append(float(value))
    return seconds
