"""The engine's array API: validation, shapes, dtypes, and purity of the scoring package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scoring import compile_battery, default_policy, load_policy, score_battery

ROOT = Path(__file__).resolve().parents[2]
FULL = ("phq9", "gad7", "who5", "k10", "pss10", "cbi")


@pytest.mark.parametrize(
    ("value", "column"), [(0.5, 0), (4.0, 3), (-1.0, 8), (np.inf, 2), (-np.inf, 5)]
)
def test_an_answer_that_is_not_an_option_raises_value_error_naming_row_and_item(
    value: float, column: int
) -> None:
    answers = np.zeros((3, 9))
    answers[2, column] = value
    with pytest.raises(
        ValueError, match=rf"row 2, phq9 item phq9_{column + 1}: .* is not an option"
    ):
        score_battery(["phq9"], answers)


def test_cbi_values_between_the_published_ones_are_refused() -> None:
    answers = np.full((1, 19), 50.0)
    answers[0, 12] = 60
    with pytest.raises(ValueError, match="cbi item cbi_w7"):
        score_battery(["cbi"], answers.astype(np.float32))


@pytest.mark.parametrize("shape", [(9,), (2, 8), (2, 10), (1, 2, 9)])
def test_wrong_shape_is_refused(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="shape"):
        score_battery(["phq9"], np.zeros(shape))


@pytest.mark.parametrize(
    ("battery", "message"),
    [([], "non-empty"), ("phq9", "non-empty"), (["phq9", "phq9"], "twice"), (["mbi"], "unknown")],
)
def test_bad_battery_is_refused(battery: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        score_battery(battery, np.zeros((1, 9)))  # type: ignore[arg-type]


def test_non_numeric_answers_are_refused() -> None:
    with pytest.raises(ValueError, match="numbers"):
        score_battery(["gad7"], np.array([["0"] * 7]))


def test_integer_answers_are_accepted_as_complete_forms() -> None:
    result = score_battery(["gad7"], np.full((2, 7), 2, dtype=np.int64))
    assert result.instruments["gad7"].scores["total"].tolist() == [14.0, 14.0]


def test_zero_teachers_give_empty_arrays() -> None:
    result = score_battery(["phq9", "who5"], np.zeros((0, 14)))
    assert result.level.shape == (0,) and len(result) == 0
    assert result.instruments["who5"].scores["percentage"].shape == (0,)


def test_output_dtypes_are_compact() -> None:
    result = score_battery(["phq9"], np.zeros((4, 9), dtype=np.float32))
    inst = result.instruments["phq9"]
    assert inst.scores["total"].dtype == np.float32
    assert inst.bands["total"].dtype == np.int8 and inst.level.dtype == np.int8
    assert inst.flags.dtype == np.uint16
    assert result.reasons.dtype == np.uint16  # 12 rules in the default policy


def test_a_compiled_battery_can_be_reused() -> None:
    plan = compile_battery(["gad7", "phq9"], default_policy())
    assert plan.n_items == 16 and plan.ids == ("gad7", "phq9")
    a = score_battery(plan, np.zeros((2, 16)))
    b = score_battery(["gad7", "phq9"], np.zeros((2, 16)))
    assert np.array_equal(a.level, b.level)
    with pytest.raises(ValueError, match="another policy"):
        score_battery(plan, np.zeros((1, 16)), load_policy())


def test_scoring_imports_no_web_database_or_config_code() -> None:
    code = (
        "import sys, scoring, scoring.cli, instruments; "
        "bad = {m.split('.')[0] for m in sys.modules} & {'flask', 'sqlalchemy', 'config', 'db'}; "
        "print(sorted(bad))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert proc.stdout.strip() == "[]"


def test_row_major_and_column_major_input_give_identical_results() -> None:
    from benchmarks.scoring import synthetic_answers

    f_order = synthetic_answers(3000, seed=7)
    c_order = np.ascontiguousarray(f_order)
    a = score_battery(FULL, f_order, block_rows=1024)
    b = score_battery(FULL, c_order, block_rows=1024)
    assert np.array_equal(a.level, b.level) and np.array_equal(a.reasons, b.reasons)
    for iid in FULL:
        for name, values in a.instruments[iid].scores.items():
            np.testing.assert_array_equal(values, b.instruments[iid].scores[name])
        np.testing.assert_array_equal(a.instruments[iid].flags, b.instruments[iid].flags)
