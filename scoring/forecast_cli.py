"""``python -m scoring forecast --train FILE --predict FILE``: the second reader from the shell.

Trains the next-wave model on every teacher's consecutive waves in the train file (target: the
next wave's battery level is high or crisis by the policy), then writes one line per teacher in
the predict file, for their latest wave: ``{"id": .., "p": probability}``, in the order of those
latest lines; ``{"id": .., "p": null}`` when that latest line answers no item (no prediction
from blanks: the model would score imputed means).  A bad line gets ``{"line": N, "file":
"train" | "predict", "error": ..}`` with the words ``score`` uses and the rest are read; the exit
status is then 2.  A file that cannot be read, or too little data to learn from, is one
``error:`` line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from scoring.policy import RiskPolicy
from scoring.teacher_lines import TeacherWaves, read_teacher_waves

if TYPE_CHECKING:
    from scoring.risk_model import Panel


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register ``forecast`` on the subparsers of ``python -m scoring``."""
    cmd = sub.add_parser("forecast", parents=[common], help="train on one file, predict another")
    cmd.add_argument("--train", type=Path, required=True, help="teacher-wave JSON lines to learn")
    cmd.add_argument("--predict", type=Path, required=True, help="teacher-wave JSON lines to score")
    cmd.add_argument("--seed", type=int, default=0, help="seed of the grouped splits")


def run_forecast(args: argparse.Namespace, policy: RiskPolicy, out: TextIO) -> int:
    """Train, predict, write; return 2 if any line was bad or nothing could be learned."""
    # Imported here: scikit-learn takes a second to load, and only this command needs it.
    from scoring.cli import _numbered_lines
    from scoring.risk_model import fit_next_wave_model

    read = {}
    for role in ("train", "predict"):
        path: Path = getattr(args, role)
        try:
            with path.open("rb") as handle:
                read[role] = read_teacher_waves(_numbered_lines(handle), policy.instruments)
        except OSError as exc:
            print(f"error: cannot read --{role} {path}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    errors = []
    panels = {}
    for role, waves in read.items():
        keep, dupes = _first_of_each_wave(waves)
        errors += [{"line": e["line"], "file": role, "error": e["error"]} for e in waves.errors]
        errors += [{"line": n, "file": role, "error": msg} for n, msg in dupes]
        panels[role] = _panel(waves, keep)
    for e in sorted(errors, key=lambda e: (e["file"] != "train", e["line"])):
        out.write(json.dumps(e, ensure_ascii=False) + "\n")
    try:
        model = fit_next_wave_model(panels["train"], policy=policy, seed=args.seed)
    except ValueError as exc:
        print(f"error: --train {args.train}: {exc}", file=sys.stderr)
        return 2
    ids, p = model.predict(panels["predict"])
    latest = _latest_line(read["predict"])
    rows = sorted(zip(ids.tolist(), p.tolist(), strict=True), key=lambda r: latest[r[0]])
    for tid, prob in rows:
        shown = None if np.isnan(prob) else round(prob, 6)
        out.write(json.dumps({"id": tid, "p": shown}, ensure_ascii=False) + "\n")
    out.flush()
    return 2 if errors else 0


def _first_of_each_wave(waves: TeacherWaves) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Rows to keep, and an error for each later line repeating a teacher's wave."""
    seen: dict[tuple[str, int], int] = {}
    keep, dupes = [], []
    for row, (tid, wave, line) in enumerate(
        zip(waves.ids, waves.wave.tolist(), waves.line.tolist(), strict=True)
    ):
        first = seen.setdefault((tid, wave), line)
        if first == line:
            keep.append(row)
        else:
            dupes.append((line, f"teacher {tid!r} already has wave {wave} (line {first})"))
    return np.array(keep, dtype=np.int64), dupes


def _latest_line(waves: TeacherWaves) -> dict[str, int]:
    """Input line of each teacher's latest wave (the first line given for that wave)."""
    best: dict[str, tuple[int, int]] = {}
    for tid, wave, line in zip(waves.ids, waves.wave.tolist(), waves.line.tolist(), strict=True):
        if tid not in best or wave > best[tid][0]:
            best[tid] = (wave, line)
    return {tid: line for tid, (_, line) in best.items()}


def _panel(waves: TeacherWaves, keep: np.ndarray) -> Panel:
    """Input lines carry no context: school level and years band are unknown (-1)."""
    from scoring.risk_model import Panel

    unknown = np.full(len(keep), -1, dtype=np.int64)
    return Panel(
        ids=np.asarray(waves.ids, dtype=object)[keep] if len(keep) else np.zeros(0, dtype=object),
        wave=waves.wave[keep],
        answers=waves.answers[keep],
        school_level=unknown,
        years_band=unknown,
    )
