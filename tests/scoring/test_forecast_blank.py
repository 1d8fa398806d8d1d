"""No prediction from blanks: a teacher whose latest wave answers no item gets none, from the
model (NaN) and from ``python -m scoring forecast`` (``"p": null``); one partly answered still
gets a probability."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scoring.risk_model import NextWaveModel, Panel, fit_next_wave_model
from scoring.risk_model.features import census_panel
from scoring.synthetic import SyntheticCensus, synthetic_census

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def city() -> SyntheticCensus:
    return synthetic_census(1500, 3, seed=4)


@pytest.fixture(scope="module")
def model(city: SyntheticCensus) -> NextWaveModel:
    return fit_next_wave_model(census_panel(city), seed=0)


def test_a_blank_latest_wave_gets_no_probability(
    city: SyntheticCensus, model: NextWaveModel
) -> None:
    panel = census_panel(city)
    latest = panel.wave == 3
    blank, partial = np.flatnonzero(latest)[:2]
    answers = panel.answers.copy()
    answers[blank] = np.nan  # earlier waves of this teacher stay answered
    answers[partial, 10:] = np.nan  # PHQ-9 and one GAD-7 item only
    changed = Panel(panel.ids, panel.wave, answers, panel.school_level, panel.years_band)

    ids, p = model.predict(changed)

    by_id = dict(zip(ids.tolist(), p.tolist(), strict=True))
    assert np.isnan(by_id[panel.ids[blank]])
    assert 0 < by_id[panel.ids[partial]] < 1
    assert int(np.isnan(p).sum()) == 1
    _, before = model.predict(panel)
    others = (ids != panel.ids[blank]) & (ids != panel.ids[partial])
    np.testing.assert_array_equal(p[others], before[others])  # nobody else moves


def test_the_forecast_command_prints_null_for_a_blank_latest_line(
    city: SyntheticCensus, tmp_path: Path
) -> None:
    train = tmp_path / "train.jsonl"
    train.write_text("".join(json.dumps(x) + "\n" for t in range(3) for x in city.lines(t)))
    latest = list(city.lines(2))[:3]
    blank = {"id": latest[1]["id"], "wave": 3, "battery": {"phq9": [None] * 9}}
    predict = tmp_path / "predict.jsonl"
    predict.write_text("".join(json.dumps(x) + "\n" for x in (latest[0], blank, latest[2])))

    proc = subprocess.run(
        [sys.executable, "-m", "scoring", "forecast", "--train", str(train),
         "--predict", str(predict)],
        capture_output=True, cwd=ROOT, timeout=300, check=False,
    )  # fmt: skip

    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert [r["id"] for r in rows] == [x["id"] for x in latest]
    assert rows[1] == {"id": latest[1]["id"], "p": None}
    assert all(0 < r["p"] < 1 for r in (rows[0], rows[2]))
