"""The analysis the demo shows on its first run, computed over the freshly seeded waves.

``flask demo seed`` calls ``analyse_demo_waves`` once, after the waves are committed: this is the
one place where the demo runs the response-quality job over each demo wave and trains the
next-wave model on the released waves (what ``flask --app app analysis quality`` and
``flask --app app analysis train`` do), so that the quality notes, the reliability table and the
model card show figures on the first ``make run``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session


def analyse_demo_waves(session: Session, now: dt.datetime) -> None:
    """Run the quality job and the model training over the seeded demo waves (commits).

    Empty until the ``analysis`` package provides both jobs: their calls belong here.
    """
    del session, now
