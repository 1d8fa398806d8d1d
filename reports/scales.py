"""Which scores a report shows and their bands: the instruments' own, or local policy, labelled.

PSS-10 and CBI have no cut-offs from their authors (instruments.md); the bands used here are
local policy and every table that shows them says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from instruments import load_instruments
from reports.order import clinical_rank

LOCAL_POLICY = "本地政策分段，非量表作者的界值 Local policy bands, not the authors' cut-offs"


@dataclass(frozen=True)
class Scale:
    """One reported score: instrument, score id, title, band lower bounds and labels."""

    instrument: str
    score: str
    title: str
    lows: tuple[float, ...]
    labels: tuple[str, ...]
    local_policy: bool

    @property
    def key(self) -> str:
        """``instrument.score``, the key in a response's scores document."""
        return f"{self.instrument}.{self.score}"

    def band_index(self, values: NDArray[np.float64]) -> NDArray[np.int64]:
        """Band of each value; ``len(labels)`` (not scored) for NaN."""
        index = np.searchsorted(np.asarray(self.lows), values, side="right") - 1
        return np.where(np.isnan(values), len(self.labels), np.clip(index, 0, None))


_LOCAL = {
    ("pss10", "total"): ((0, 14, 27), ("低 Low 0–13", "中 Moderate 14–26", "高 High 27–40")),
    **{
        ("cbi", s): ((0, 50), ("< 50", "≥ 50 倦怠 Burnout"))
        for s in ("personal", "work", "students")
    },
}


@lru_cache(maxsize=1)
def report_scales() -> tuple[Scale, ...]:
    """Every banded score of the instruments, in clinical order (``reports.order``)."""
    scales = []
    for inst in sorted(load_instruments().values(), key=lambda i: clinical_rank(i.id)):
        for score in inst.scores:
            band_set = inst.band_set(score.id)
            title = f"{inst.short_name} {score.label.zh} {score.label.en}"
            if band_set is not None:
                lows = tuple(float(b.min) for b in band_set.bands)
                labels = tuple(f"{b.label.zh} {b.label.en}" for b in band_set.bands)
                local = band_set.source == "local_policy"
            elif (inst.id, score.id) in _LOCAL:
                lows, labels = _LOCAL[(inst.id, score.id)]
                local = True
            else:
                continue
            scales.append(Scale(inst.id, score.id, title, lows, labels, local))
    return tuple(scales)
