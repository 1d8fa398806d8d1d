"""The analysis layer on a synthetic city: 115,000 teachers x 3 waves (scoring.synthetic).

``python -m benchmarks analysis`` prints one JSON line: ``quality_seconds``
(:func:`scoring.quality.assess_quality` on the latest wave's respondents, with page times),
``reliability_seconds`` (:func:`scoring.reliability.battery_reliability`, the same wave),
``train_seconds`` (:func:`scoring.risk_model.fit_next_wave_model` on every wave: both candidates,
calibration, the held-out evaluation and the final refit), ``predict_rows_per_s`` (teacher-wave
rows read by ``NextWaveModel.predict``, features included), and from the held-out transition
into the latest wave: ``auroc``, ``oracle_auroc`` (the generating process's own probability on
the same teachers), ``calibration_slope`` and ``brier``.  ``load_before`` / ``load_after`` are
the 1-minute load averages, for a machine shared with other work, and each ``*_cpu_seconds``
the CPU time of this process alone.  One thread, as the scoring
benchmark.  Targets: quality + reliability < 30 s, training < 120 s, prediction >= 100,000
rows/s, calibration slope 0.8-1.2.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any, TypeVar  # noqa: E402

from sklearn.metrics import roc_auc_score  # noqa: E402

from scoring import score_battery  # noqa: E402
from scoring.quality import assess_quality  # noqa: E402
from scoring.reliability import battery_reliability  # noqa: E402
from scoring.risk_model import fit_next_wave_model  # noqa: E402
from scoring.risk_model.features import census_panel  # noqa: E402
from scoring.synthetic import SyntheticCensus, synthetic_census  # noqa: E402

TEACHERS = 115_000
WAVES = 3
SEED = 2026
T = TypeVar("T")


def run() -> dict[str, Any]:
    """Generate the city, time each step, and return the figures."""
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    census = synthetic_census(TEACHERS, WAVES, seed=SEED)
    generate_seconds = time.perf_counter() - start
    latest = census.waves[-1]
    answers = latest.answers[latest.responded]
    seconds = latest.page_seconds[latest.responded]
    quality, _ = timed(lambda: assess_quality(census.battery, answers, seconds))
    reliability, _ = timed(lambda: battery_reliability(census.battery, answers))
    panel = census_panel(census)
    train, model = timed(lambda: fit_next_wave_model(panel, seed=0))
    predict, _ = timed(lambda: model.predict(panel))
    held_out = model.record.metrics[model.record.chosen]
    return {
        "teachers": TEACHERS,
        "waves": WAVES,
        "generate_seconds": round(generate_seconds, 2),
        "quality_seconds": quality[0],
        "reliability_seconds": reliability[0],
        "train_seconds": train[0],
        "train_rows": model.record.rows,
        "chosen": model.record.chosen,
        "predict_rows": len(panel.ids),
        "predict_rows_per_s": round(len(panel.ids) / predict[0]),
        "auroc": round(held_out["auroc"], 4),
        "oracle_auroc": round(oracle_auroc(census), 4),
        "calibration_slope": round(held_out["calibration_slope"], 3),
        "calibration_intercept": round(held_out["calibration_intercept"], 3),
        "brier": round(held_out["brier"], 4),
        "boosted_auroc": round(model.record.metrics["boosted"]["auroc"], 4),
        "quality_cpu_seconds": quality[1],
        "reliability_cpu_seconds": reliability[1],
        "train_cpu_seconds": train[1],
        "predict_cpu_rows_per_s": round(len(panel.ids) / predict[1]),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }


def timed(step: Callable[[], T]) -> tuple[tuple[float, float], T]:
    """((wall seconds, CPU seconds of this process), result) of ``step()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return (round(time.perf_counter() - wall, 2), round(time.process_time() - cpu, 2)), result


def oracle_auroc(census: SyntheticCensus) -> float:
    """AUROC of the true P(next level high or crisis) on the held-out transition's teachers."""
    before, after = census.waves[-2], census.waves[-1]
    both = before.responded & after.responded
    level = score_battery(census.battery, after.answers[both]).level
    known = level > 0  # as in training: an incomplete next wave has no outcome
    p = census.oracle_probability(len(census.waves) - 2)[both]
    return float(roc_auc_score(level[known] >= 3, p[known]))


if __name__ == "__main__":
    import json

    print(json.dumps(run()), flush=True)
