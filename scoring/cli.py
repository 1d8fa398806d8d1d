"""``python -m scoring list | score | quality | reliability | forecast``: the command-line contract.

``score`` reads JSON lines from standard input and writes one JSON line per non-blank input
line: the result, or ``{"line": N, "error": ...}`` (N counts input lines from 1).  The exit
status is 2 if any line was bad or the policy cannot be used, 0 otherwise.  No traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from instruments import SchemaError
from scoring import forecast_cli
from scoring.analysis_cli import COMMANDS as ANALYSIS_COMMANDS
from scoring.analysis_cli import add_commands, run_analysis
from scoring.describe import summarize
from scoring.engine import score_battery
from scoring.lines import LineError, parse_line
from scoring.policy import DEFAULT_POLICY_PATH, RiskPolicy, load_policy

CHUNK_LINES = 4096


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m scoring``."""
    parser = argparse.ArgumentParser(prog="python -m scoring", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--policy", type=Path, default=DEFAULT_POLICY_PATH, help="risk policy TOML file"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    lst = sub.add_parser("list", parents=[common], help="print the instruments")
    lst.add_argument("--json", action="store_true", help="one JSON object per instrument")
    score = sub.add_parser("score", parents=[common], help="score JSON lines from stdin")
    score.add_argument("--lang", choices=("en", "zh-CN"), default="en", help="reason texts")
    add_commands(sub, [common])
    forecast_cli.add_parser(sub, common)
    return parser


def main(argv: list[str] | None = None, stdin: Any = None, stdout: TextIO | None = None) -> int:
    """Run the CLI; return the exit status."""
    args = build_parser().parse_args(argv)
    out = stdout if stdout is not None else sys.stdout
    try:
        policy = load_policy(args.policy)
    except SchemaError as exc:
        print(f"error: risk policy: {exc}", file=sys.stderr)
        return 2
    if args.command == "list":
        list_instruments(policy, out, as_json=args.json)
        return 0
    if args.command == "forecast":
        return forecast_cli.run_forecast(args, policy, out)
    source = stdin if stdin is not None else sys.stdin.buffer
    if args.command in ANALYSIS_COMMANDS:
        return run_analysis(args.command, _numbered_lines(source), out)
    return score_stream(source, out, policy, args.lang)


def list_instruments(policy: RiskPolicy, out: TextIO, as_json: bool = False) -> None:
    """Print one line per instrument: id, name, items, scores, bands and their source."""
    for inst in policy.instruments.values():
        bands = {s.id: b.source for s in inst.scores if (b := policy.band_set(inst.id, s.id))}
        rc = policy.reliable_change(inst.id)
        score_ids = [s.id for s in inst.scores]
        row: dict[str, Any] = {
            "id": inst.id,
            "name": {"zh-CN": inst.name.zh, "en": inst.name.en},
            "items": inst.n_items,
            "scores": score_ids,
            "bands": bands,
            "reliable_change": None if rc is None else {"score": rc.score, "r": rc.r},
            "translation_status": inst.translation_status,
            "version": inst.version,
        }
        if as_json:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            continue
        band_text = ", ".join(f"{k} ({v})" for k, v in bands.items()) or "none"
        rc_text = "none" if rc is None else f"{rc.score} r={rc.r}"
        out.write(
            f"{inst.id}\t{inst.short_name}\t{inst.n_items} items\tscores: "
            f"{', '.join(score_ids)}\tbands: {band_text}\treliable change: {rc_text}\t"
            f"{inst.name.en} / {inst.name.zh}\tzh-CN text: {inst.translation_status}\n"
        )
    if as_json:
        return
    out.write(
        f"# risk policy {policy.id} v{policy.version}: {len(policy.rules)} rules ({policy.path})\n"
    )


def _numbered_lines(source: Iterable[bytes | str]) -> Iterator[tuple[int, str | None]]:
    """(line number, text) of non-blank lines; text None when the bytes are not UTF-8."""
    for n, raw in enumerate(source, start=1):
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError:
                yield n, None
                continue
        else:
            text = raw.lstrip("\ufeff") if n == 1 else raw
        if text.strip():
            yield n, text


def score_stream(source: Iterable[bytes | str], out: TextIO, policy: RiskPolicy, lang: str) -> int:
    """Score every line of ``source`` into ``out``; return 2 if any line was bad, else 0."""
    bad = False
    chunk: list[tuple[int, str | None]] = []
    for numbered in _numbered_lines(source):
        chunk.append(numbered)
        if len(chunk) >= CHUNK_LINES:
            bad |= _score_chunk(chunk, out, policy, lang)
            chunk = []
    if chunk:
        bad |= _score_chunk(chunk, out, policy, lang)
    out.flush()
    return 2 if bad else 0


def _score_chunk(
    chunk: list[tuple[int, str | None]], out: TextIO, policy: RiskPolicy, lang: str
) -> bool:
    """Score one chunk, batched per instrument through the engine; write in input order."""
    results: list[dict[str, Any]] = []
    groups: dict[str, list[tuple[int, list[float]]]] = {}
    for pos, (n, text) in enumerate(chunk):
        results.append({"line": n, "error": "not valid UTF-8"})
        if text is None:
            continue
        try:
            iid, answers = parse_line(text, policy.instruments)
        except LineError as exc:
            results[pos] = {"line": n, "error": str(exc)}
            continue
        groups.setdefault(iid, []).append((pos, answers))
    for iid, rows in groups.items():
        scored = score_battery([iid], np.array([a for _, a in rows], dtype=np.float64), policy)
        for k, (pos, _) in enumerate(rows):
            results[pos] = summarize(scored.instruments[iid], k, policy, lang)
    for r in results:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
    return any("error" in r for r in results)
