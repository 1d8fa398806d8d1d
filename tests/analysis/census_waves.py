"""Released waves made from ``scoring.synthetic``, stored through the census factories.

Each synthetic teacher becomes a roster teacher at one of three schools; each wave a census wave
whose respondents submitted the synthetic answers, scored as the submission scores them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy.orm import Session

from analysis.model_panel import item_columns
from census.models import Response, Wave, WaveState
from org.models import Teacher
from scoring.synthetic import SyntheticCensus, synthetic_census
from tests.support.factories.census import make_submitted_response, make_wave
from tests.support.factories.org import make_school, make_teacher

T0 = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def census_teachers(
    session: Session, census: SyntheticCensus, place: str = "预测"
) -> list[Teacher]:
    """One roster teacher per synthetic teacher, at three schools of two districts."""
    schools = [make_school(session, name=f"{place}校{i}", district=f"{place}区{i % 2}")
               for i in range(3)]  # fmt: skip
    return [
        make_teacher(
            session,
            schools[i % 3],
            gender=str(census.gender[i]),
            birth_year=int(census.birth_year[i]),
            years_of_service=int(census.years_of_service[i]),
        )
        for i in range(len(census.ids))
    ]


def store_wave(
    session: Session,
    census: SyntheticCensus,
    teachers: list[Teacher],
    number: int,
    *,
    released: bool,
) -> tuple[Wave, list[Response]]:
    """Wave ``number`` (0-based): released at its time, or closed and waiting for release."""
    at = T0 + dt.timedelta(days=120 * number)
    wave = make_wave(session, name=f"预测波次{number + 1}", opens_at=at, days=14,
                     state=WaveState.RELEASED if released else WaveState.CLOSED,
                     released_at=at + dt.timedelta(days=20) if released else None)  # fmt: skip
    if not released:  # recent enough that its answers are within retention
        wave.opens_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=15)
        wave.closes_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    columns = sorted(item_columns(), key=item_columns().__getitem__)
    synthetic, responses = census.waves[number], []
    for i in np.flatnonzero(synthetic.responded):
        answers = {
            item: int(value)
            for item, value in zip(columns, synthetic.answers[i], strict=True)
            if not np.isnan(value)
        }
        at_submission = wave.opens_at + dt.timedelta(days=3)
        responses.append(
            make_submitted_response(session, wave, teachers[i], answers, at=at_submission)
        )
    session.flush()
    return wave, responses


def small_census(n_teachers: int = 300, seed: int = 1) -> SyntheticCensus:
    """A small synthetic census of five waves: three to learn from (the model holds the latest
    transition out, and needs ten teachers reaching high or crisis there), two to release."""
    return synthetic_census(n_teachers, 5, seed=seed)
