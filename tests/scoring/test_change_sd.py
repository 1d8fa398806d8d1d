"""Which SD a reliable change is judged with (Jacobson & Truax, J Consult Clin Psychol 1991;59:12).

The previous wave's own SD (sample SD of its whole distribution) when at least
``MIN_WAVE_RESPONDENTS`` completed the scale and they vary; else the normative SD pinned in the
instrument file (PHQ-9: 3.5, Kocalevent, Hinz & Brähler 2013, German general population); else
none, and the change is not assessed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from instruments import load_instruments
from scoring.change import MIN_WAVE_RESPONDENTS, change_sd, reliable_change_threshold, wave_sd

INSTRUMENTS = load_instruments()


def test_a_wave_gives_its_own_sd_from_the_minimum_number_of_answers() -> None:
    scores = [float(n % 7) for n in range(MIN_WAVE_RESPONDENTS)]
    assert wave_sd(scores) == pytest.approx(float(np.std(scores, ddof=1)))
    assert wave_sd(scores[:-1]) is None  # one fewer: too few
    assert wave_sd([*scores[:-1], math.nan]) is None  # NaN is no answer


def test_a_wave_whose_answers_are_all_alike_gives_no_sd() -> None:
    assert wave_sd([4.0] * MIN_WAVE_RESPONDENTS) is None


def test_the_wave_s_own_sd_comes_first_then_the_pinned_norm_then_nothing() -> None:
    phq9 = INSTRUMENTS["phq9"].reliable_change
    gad7 = INSTRUMENTS["gad7"].reliable_change
    assert phq9 is not None and gad7 is not None
    assert change_sd(4.2, phq9) == (4.2, "wave")
    assert change_sd(None, phq9) == (3.5, "normative")
    assert change_sd(4.2, gad7) == (4.2, "wave")
    assert change_sd(None, gad7) is None  # no norm pinned: not assessed


def test_phq9_norm_is_pinned_with_its_source() -> None:
    phq9 = INSTRUMENTS["phq9"].reliable_change
    assert phq9 is not None and phq9.normative_sd == 3.5
    assert "Kocalevent" in phq9.normative_sd_source and "2013" in phq9.normative_sd_source
    # With r = 0.86 (Wang 2014) the threshold is 1.96 * 3.5 * sqrt(0.28) = 3.63 points.
    assert reliable_change_threshold(3.5, phq9.r) == pytest.approx(3.62997, abs=1e-5)
