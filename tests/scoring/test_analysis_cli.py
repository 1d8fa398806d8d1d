"""``python -m scoring quality | reliability`` (issue 17), checked from outside via subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from scoring.quality import INDICES
from scoring.synthetic import synthetic_census

ROOT = Path(__file__).resolve().parents[2]


def run(command: str, stdin: bytes) -> tuple[int, list[dict[str, Any]], bytes]:
    proc = subprocess.run(
        [sys.executable, "-m", "scoring", command], input=stdin, capture_output=True, cwd=ROOT,
        timeout=120, check=False,
    )  # fmt: skip
    return proc.returncode, [json.loads(x) for x in proc.stdout.decode().splitlines()], proc.stderr


def wave_lines(n: int) -> list[str]:
    return [json.dumps(line) for line in synthetic_census(n, 1, seed=5).lines(0)]


def test_quality_answers_each_line_in_input_order() -> None:
    good = wave_lines(500)
    stdin = "\n".join([good[0], "not json", *good[1:], '{"id": "T9", "wave": 1}']) + "\n"
    code, out, err = run("quality", stdin.encode())
    assert code == 2 and b"Traceback" not in err
    assert len(out) == len(good) + 2
    assert out[1] == {"line": 2, "error": out[1]["error"]}
    assert out[1]["error"].startswith("not valid JSON")
    assert out[-1] == {"line": len(good) + 2, "error": "missing key 'battery'"}
    results = [out[0], *out[2:-1]]
    assert [r["id"] for r in results] == [json.loads(g)["id"] for g in good]
    for r in results:
        assert set(r) == {"id", "flag", "indices", "reasons"}
        assert set(r["indices"]) == set(INDICES)
        assert r["flag"] == (len(r["reasons"]) >= 2)
    assert any(r["flag"] for r in results)


def test_quality_of_a_few_lines_flags_nobody_and_writes_null_for_missing_indices() -> None:
    code, out, _ = run("quality", ("\n".join(wave_lines(10)) + "\n").encode())
    assert code == 0
    assert not any(r["flag"] for r in out)
    assert all(r["indices"]["mahalanobis"] is None for r in out)


def test_reliability_writes_errors_first_then_one_line_per_score() -> None:
    stdin = ("\n".join([*wave_lines(300), "[1, 2]"]) + "\n").encode()
    code, out, err = run("reliability", stdin)
    assert code == 2 and b"Traceback" not in err
    assert "error" in out[0] and out[0]["line"] > 1
    scores = [(r["instrument"], r["score"]) for r in out[1:]]
    assert scores == [("phq9", "total"), ("gad7", "total"), ("who5", "raw"), ("k10", "total"),
                      ("pss10", "total"), ("cbi", "personal"), ("cbi", "work"),
                      ("cbi", "students")]  # fmt: skip
    for r in out[1:]:
        assert r["n"] > 200
        assert r["alpha_ci"][0] <= r["alpha"] <= r["alpha_ci"][1]
        assert r["omega_ci"][0] <= r["omega"] <= r["omega_ci"][1]


def test_reliability_of_clean_input_exits_zero() -> None:
    code, out, _ = run("reliability", ("\n".join(wave_lines(40)) + "\n").encode())
    assert code == 0
    assert {r["instrument"] for r in out} == {"phq9", "gad7", "who5", "k10", "pss10", "cbi"}
