"""The analysis the demo shows on its first run, computed over the freshly seeded waves.

``flask demo seed`` calls ``analyse_demo_waves`` once, after the waves are committed: the
response-quality job over the waves the sweep assesses (the open one; each released wave was
assessed inside the transaction that released it, ``analysis.jobs``), and the next-wave model
trained on the released waves (what ``flask --app app analysis quality`` and ``flask --app app
analysis train`` do), so that every demo wave's quality notes, the reliability table and the
model card show figures on the first ``make run``. The model starts in shadow mode, as every
model does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from analysis.quality_job import assess_wave, waves_to_assess
from analysis.training import train_and_register


def analyse_demo_waves(session: Session, instance_path: Path, now: dt.datetime) -> None:
    """Assess the response quality of the waves not yet released and train the second reader
    (commits)."""
    for wave_id in waves_to_assess(session):
        assess_wave(session, wave_id, now)
        session.commit()  # one transaction per wave, as the sweep
    train_and_register(session, instance_path)
    session.commit()
