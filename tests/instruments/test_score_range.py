"""A score's range, read from its instrument file, is exactly its lowest and highest attainable
value: the bounds the teacher's feedback prints and the case chart draws against."""

from __future__ import annotations

import pytest

from instruments import load_instruments
from instruments.attainable import attainable

INSTRUMENTS = load_instruments()
SCORES = [(i.id, s.id) for i in INSTRUMENTS.values() for s in i.scores]


@pytest.mark.parametrize(("instrument", "score"), SCORES, ids=[f"{a}-{b}" for a, b in SCORES])
def test_score_range_is_the_attainable_bounds(instrument: str, score: str) -> None:
    values = attainable(INSTRUMENTS[instrument], score)
    assert INSTRUMENTS[instrument].score_range(score) == (min(values), max(values))
