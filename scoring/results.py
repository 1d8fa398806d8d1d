"""Result containers: arrays per instrument and for the whole battery, one row per teacher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from instruments import Instrument
from scoring.policy import RiskPolicy


@dataclass(frozen=True)
class InstrumentResult:
    """Scores, bands, flags, level and reasons of one instrument for ``n`` teachers.

    Attributes
    ----------
    instrument : Instrument
    scores : dict of str to ndarray, each of shape (n,)
        Float scores (the answers' dtype); NaN where the score cannot be computed.
    bands : dict of str to ndarray of int8, each of shape (n,)
        Index into ``band_codes[score]``; -1 when the score is NaN.  Only scores that have a
        band set (author or local policy) appear.
    band_codes : dict of str to tuple of str
        Band codes of each banded score, in ascending order.
    flags : ndarray of uint16, shape (n,)
        Bit mask; names from :func:`scoring.codes.flag_names`.
    level : ndarray of int8, shape (n,)
        0 none (null), 1 low, 2 moderate, 3 high, 4 crisis.
    reasons : ndarray of unsigned int, shape (n,)
        Bit ``rule.index`` set for every policy rule that fired.
    """

    instrument: Instrument
    scores: dict[str, NDArray[np.floating[Any]]]
    bands: dict[str, NDArray[np.int8]]
    band_codes: dict[str, tuple[str, ...]]
    flags: NDArray[np.uint16]
    level: NDArray[np.int8]
    reasons: NDArray[np.unsignedinteger[Any]]

    def band(self, score: str, row: int) -> str | None:
        """Band code of ``score`` for one teacher, or ``None``."""
        if score not in self.bands:
            return None
        code = int(self.bands[score][row])
        return None if code < 0 else self.band_codes[score][code]


@dataclass(frozen=True)
class BatteryResult:
    """Per-instrument results plus the battery-wide level and reasons.

    Attributes
    ----------
    battery : tuple of str
        Instrument ids, in column order of the answers.
    instruments : dict of str to InstrumentResult
    level : ndarray of int8, shape (n,)
        Highest instrument level; ``low`` only when every instrument is ``low``, else none
        (an incomplete instrument never lets the battery read ``low``).
    reasons : ndarray of unsigned int, shape (n,)
        Union of the instruments' reason masks.
    policy : RiskPolicy
        The policy the levels come from (to turn reasons into words).
    has_safety_item : bool
        False for a battery without a safety item (no PHQ-9): a wave needs a warning then.
    """

    battery: tuple[str, ...]
    instruments: dict[str, InstrumentResult]
    level: NDArray[np.int8]
    reasons: NDArray[np.unsignedinteger[Any]]
    policy: RiskPolicy
    has_safety_item: bool

    def __len__(self) -> int:
        return int(self.level.shape[0])
