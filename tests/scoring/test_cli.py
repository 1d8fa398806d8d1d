"""The CLI contract of ``python -m scoring`` (issue 4), checked from outside via subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scoring import DEFAULT_POLICY_PATH

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "scoring", *args], input=stdin, capture_output=True, cwd=ROOT,
        timeout=60, check=False,
    )  # fmt: skip


def lines(proc: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]


def test_list_prints_every_instrument() -> None:
    proc = run(["list"])
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode("utf-8")
    for iid in ("phq9", "gad7", "who5", "k10", "pss10", "cbi"):
        assert f"\n{iid}\t" in "\n" + text
    rows = [json.loads(x) for x in run(["list", "--json"]).stdout.decode().splitlines()]
    assert {r["id"]: r["items"] for r in rows}["cbi"] == 19


GOOD: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"instrument": "phq9", "answers": [0, 0, 0, 0, 0, 0, 0, 0, 1]},
     {"instrument": "phq9", "scores": {"total": 1}, "band": "minimal",
      "flags": ["item9_positive"], "risk": "crisis"}),
    ({"instrument": "phq9", "answers": [None] * 8 + [2]},
     {"instrument": "phq9", "scores": {"total": None}, "band": None,
      "flags": ["incomplete", "item9_positive"], "risk": "crisis"}),
    ({"instrument": "phq9", "answers": [3] * 8 + [None]},
     {"instrument": "phq9", "scores": {"total": None}, "band": None,
      "flags": ["incomplete", "safety_item_unanswered"], "risk": None}),
    ({"instrument": "gad7", "answers": [2, 2, 2, 2, 2, 0, 0]},
     {"instrument": "gad7", "scores": {"total": 10}, "band": "moderate", "flags": [],
      "risk": "moderate"}),
    ({"instrument": "who5", "answers": [1, 1, 2, 2, 1]},
     {"instrument": "who5", "scores": {"raw": 7, "percentage": 28}, "band": "likely_depression",
      "flags": ["item_answered_0_or_1"], "risk": "moderate"}),
    ({"instrument": "k10", "answers": [3, 3, 3, 3, 3, 3, 3, 3, 3, None]},
     {"instrument": "k10", "scores": {"total": 30}, "band": "very_high", "flags": ["prorated"],
      "risk": "high"}),
    ({"instrument": "pss10", "answers": [0] * 10},
     {"instrument": "pss10", "scores": {"total": 16}, "band": None, "flags": [], "risk": "low"}),
    ({"instrument": "cbi", "answers": [100] * 6 + [0] * 6 + [0] + [50, 50, None, None, None, None]},
     {"instrument": "cbi", "scores": {"personal": 100.0, "work": 100 / 7, "students": None},
      "band": None, "flags": ["incomplete"], "risk": None}),
]  # fmt: skip


def test_score_writes_one_result_per_line_per_the_contract() -> None:
    stdin = "".join(json.dumps(q) + "\n" for q, _ in GOOD).encode()
    proc = run(["score"], stdin)
    assert proc.returncode == 0, proc.stderr
    results = lines(proc)
    assert len(results) == len(GOOD)
    for got, (_, want) in zip(results, GOOD, strict=True):
        assert set(got) >= {"instrument", "scores", "band", "flags", "risk", "reasons"}
        assert got["scores"] == pytest.approx(want.pop("scores"))
        assert {k: got[k] for k in want} == want
        assert bool(got["reasons"]) == (got["risk"] not in ("low", None))
    assert results[-1]["bands"] == {"personal": None, "work": None, "students": None}


def q(instrument: str, answers: str) -> bytes:
    """An input line with the answers spelt as raw JSON text."""
    return f'{{"instrument": "{instrument}", "answers": [{answers}]}}'.encode()


def phq9_first(value: str) -> bytes:
    """A PHQ-9 line whose first answer is the raw JSON ``value``."""
    return q("phq9", value + ", 0" * 8)


BAD = [
    ("not json", b"{instrument: phq9}", "not valid JSON"),
    ("not an object", b"[1, 2, 3]", "JSON object"),
    ("missing instrument", b'{"answers": [0]}', "missing key 'instrument'"),
    ("missing answers", b'{"instrument": "phq9"}', "missing key 'answers'"),
    ("instrument not a string", b'{"instrument": 9, "answers": []}', "must be a string"),
    ("unknown instrument", q("phq8", ""), "unknown instrument 'phq8'"),
    ("answers not a list", b'{"instrument": "gad7", "answers": "0"}', "must be an array"),
    ("too few answers", q("gad7", "0, 0, 0"), "needs 7 answers, got 3"),
    ("too many answers", q("who5", "0, 0, 0, 0, 0, 0"), "needs 5 answers, got 6"),
    ("not an option", q("gad7", "0, 0, 0, 0, 0, 0, 4"), "4 is not an option"),
    ("between options", q("cbi", "30" + ", 0" * 18), "30 is not an option"),
    ("below the options", q("k10", "0" + ", 1" * 9), "0 is not an option"),
    ("fractional", phq9_first("0.5"), "0.5 is not an option"),
    ("a string", phq9_first('"1"'), "is a string"),
    ("a boolean", phq9_first("true"), "is a boolean"),
    ("false as zero", phq9_first("false"), "is a boolean"),
    ("an object", phq9_first("{}"), "must be a number or null"),
    ("NaN literal", phq9_first("NaN"), "NaN"),
    ("Infinity literal", phq9_first("-Infinity"), "Infinity"),
    ("overflowing number", phq9_first("1e999"), "not a finite number"),
    ("not UTF-8", q("phq9", "") + b"\xff", "not valid UTF-8"),
]


@pytest.fixture(scope="module")
def bad_run() -> tuple[subprocess.CompletedProcess[bytes], list[dict[str, Any]]]:
    good = b'{"instrument": "gad7", "answers": [0, 0, 0, 0, 0, 0, 0]}'
    body = [good, b""] + [line for _, line, _ in BAD] + [b"   ", good]
    proc = run(["score"], b"\n".join(body) + b"\n")
    return proc, lines(proc)


@pytest.mark.parametrize(("case", "line", "message"), BAD, ids=[b[0] for b in BAD])
def test_each_bad_line_gives_its_line_number_and_error(
    bad_run: tuple[subprocess.CompletedProcess[bytes], list[dict[str, Any]]],
    case: str,
    line: bytes,
    message: str,
) -> None:
    _, results = bad_run
    n = 3 + [b[0] for b in BAD].index(case)  # line 1 good, line 2 blank
    (got,) = [r for r in results if r.get("line") == n]
    assert set(got) == {"line", "error"}
    assert message in got["error"]


def test_bad_lines_do_not_stop_the_others_and_exit_status_is_2(
    bad_run: tuple[subprocess.CompletedProcess[bytes], list[dict[str, Any]]],
) -> None:
    proc, results = bad_run
    assert proc.returncode == 2
    assert len(results) == len(BAD) + 2  # blank and whitespace-only lines are skipped
    assert results[0]["risk"] == "low" and results[-1]["risk"] == "low"
    assert b"Traceback" not in proc.stderr


def test_empty_input_writes_nothing_and_succeeds() -> None:
    proc = run(["score"], b"\n\n")
    assert (proc.returncode, proc.stdout) == (0, b"")


def test_policy_option_replaces_the_default(tmp_path: Path) -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    text = text.replace('min = 15\nsource = "Spitzer', 'min = 12\nsource = "Spitzer')
    text = text.replace(
        'min = 10\nmax = 14\nsource = "Spitzer', 'min = 10\nmax = 11\nsource = "Spitzer'
    )
    policy = tmp_path / "strict.toml"
    policy.write_text(text, encoding="utf-8")
    stdin = b'{"instrument": "gad7", "answers": [2, 2, 2, 2, 2, 2, 0]}\n'
    assert lines(run(["score"], stdin))[0]["risk"] == "moderate"
    assert lines(run(["score", "--policy", str(policy)], stdin))[0]["risk"] == "high"
    assert run(["list", "--policy", str(policy)]).returncode == 0


@pytest.mark.parametrize("command", ["list", "score"])
def test_unusable_policy_is_a_message_and_status_2_never_a_traceback(
    tmp_path: Path, command: str
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('schema_version = 1\nid = "x"\n', encoding="utf-8")
    for path in (broken, tmp_path / "missing.toml"):
        proc = run([command, "--policy", str(path)], b"")
        assert proc.returncode == 2
        assert str(path) in proc.stderr.decode() and b"Traceback" not in proc.stderr


def test_reasons_in_chinese_on_request() -> None:
    stdin = b'{"instrument": "phq9", "answers": [0, 0, 0, 0, 0, 0, 0, 0, 1]}\n'
    (result,) = lines(run(["score", "--lang", "zh-CN"], stdin))
    assert "第 9 题" in result["reasons"][0]
