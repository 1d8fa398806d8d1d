"""``python -m scoring forecast`` through the real command: the contract of issue 17."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scoring.synthetic import synthetic_census

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "scoring", "forecast", *args], capture_output=True, cwd=ROOT,
        timeout=300, check=False,
    )  # fmt: skip


def write_lines(path: Path, rows: list[Any]) -> Path:
    path.write_bytes(b"".join(r if isinstance(r, bytes) else json.dumps(r).encode() + b"\n"
                              for r in rows))  # fmt: skip
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    census = synthetic_census(1500, 3, seed=4)
    tmp = tmp_path_factory.mktemp("forecast")
    train = write_lines(tmp / "train.jsonl", [x for t in range(3) for x in census.lines(t)])
    return train, list(census.lines(2))


def test_one_probability_per_teacher_of_the_predict_file(
    files: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    train, latest = files
    earlier = {**latest[0], "wave": 2}  # an earlier wave of the first teacher comes after
    predict = write_lines(tmp_path / "p.jsonl", [*latest[:50], earlier])
    proc = run(["--train", str(train), "--predict", str(predict)])
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert [r["id"] for r in rows] == [x["id"] for x in latest[:50]]
    assert all(set(r) == {"id", "p"} and 0 < r["p"] < 1 for r in rows)


def test_bad_lines_are_reported_by_number_and_the_rest_predicted(
    files: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    train, latest = files
    rows = [latest[0], b'{"id": "T9", "wave": 3}\n', b"\xff\xfe\n", latest[1],
            {**latest[1], "battery": {"phq9": [9]}}, latest[0]]  # fmt: skip
    proc = run(["--train", str(train), "--predict", str(write_lines(tmp_path / "p.jsonl", rows))])
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    out = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    errors = [r for r in out if "error" in r]
    assert [(e["file"], e["line"]) for e in errors] == [
        ("predict", 2),
        ("predict", 3),
        ("predict", 5),
        ("predict", 6),
    ]
    assert errors[0]["error"] == "missing key 'battery'"
    assert errors[1]["error"] == "not valid UTF-8"
    assert "already has wave 3 (line 1)" in errors[3]["error"]
    assert [r["id"] for r in out if "p" in r] == [latest[0]["id"], latest[1]["id"]]


def test_an_unreadable_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    proc = run(["--train", str(missing), "--predict", str(missing)])
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode().startswith("error: cannot read --train")
    assert len(proc.stderr.decode().splitlines()) == 1


def test_too_little_to_learn_from_is_one_line_and_exit_2(tmp_path: Path) -> None:
    census = synthetic_census(40, 2, seed=1)
    train = write_lines(tmp_path / "t.jsonl", [x for t in range(2) for x in census.lines(t)])
    proc = run(["--train", str(train), "--predict", str(train)])
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert "too few transitions" in proc.stderr.decode()
    assert len(proc.stderr.decode().splitlines()) == 1
