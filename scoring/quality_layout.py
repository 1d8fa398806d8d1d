"""The battery as the quality indices read it: item positions, keying, scales and antonym pairs.

A teacher's answer is read three ways.  Its *shown position* is the option's place on the page
(the order of the instrument file, which is the order the survey draws): straight-lining means
clicking one place again and again, whatever the values.  Its *keyed* value runs from 0 (least
distress) to 1 (most): the option's rank among the item's values, scaled, turned when the item
is reverse-keyed (PSS-10 items 4, 5, 7, 8; CBI work item 7) and for WHO-5, whose items are worded
as wellbeing.  On keyed values an honest teacher's answers move together whatever their level,
which is what keeps the severity-neutral indices neutral.  Its raw published value is what the
antonym pairs correlate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from instruments import Instrument

# Instruments whose items are worded as wellbeing: a higher value means less distress.
WELLBEING_INSTRUMENTS = frozenset({"who5"})

# Pairs of opposite meaning used when the sample itself gives too few pairs with r < -.60
# (Meade & Craig 2012 find them in the data): WHO-5 wellbeing against PHQ-9 and K10 symptoms
# of the same content, each reverse-keyed PSS-10 item against the negatively worded item it
# mirrors, and CBI work item 7 (energy for family and friends) against work items 4 and 6.
KNOWN_ANTONYMS = (
    ("who5_1", "phq9_2"),  # cheerful / down, depressed
    ("who5_1", "k10_9"),  # cheerful / so sad nothing could cheer you up
    ("who5_2", "k10_2"),  # calm and relaxed / nervous
    ("who5_2", "k10_5"),  # calm and relaxed / restless or fidgety
    ("who5_3", "phq9_4"),  # active and vigorous / tired, little energy
    ("who5_3", "k10_1"),  # active and vigorous / tired out for no good reason
    ("who5_4", "phq9_3"),  # woke up fresh and rested / trouble sleeping
    ("who5_5", "phq9_1"),  # daily life of interest / little interest or pleasure
    ("pss10_4", "pss10_6"),  # confident to handle problems / could not cope
    ("pss10_5", "pss10_10"),  # things going your way / difficulties piling up
    ("pss10_7", "pss10_9"),  # able to control irritations / angered by what is outside control
    ("pss10_8", "pss10_2"),  # on top of things / unable to control important things
    ("cbi_w7", "cbi_w4"),  # energy for family and friends / worn out at the end of the day
    ("cbi_w7", "cbi_w6"),  # energy for family and friends / every working hour is tiring
)


@dataclass(frozen=True)
class BatteryLayout:
    """Per item of a battery (``p`` items): where it sits and how it is read."""

    item_ids: tuple[str, ...]
    page: np.ndarray  # (p,) index of the item's instrument in the battery
    page_items: np.ndarray  # (len(battery),) number of items on each instrument's page
    scales: tuple[tuple[int, ...], ...]  # battery columns of each non-derived score
    shown: tuple[np.ndarray, ...]  # per item, option values in the order the page shows them
    ascending: tuple[np.ndarray, ...]  # per item, option values ascending
    distress_up: np.ndarray  # (p,) bool: a higher value means more distress


def battery_layout(battery: Sequence[str], instruments: Mapping[str, Instrument]) -> BatteryLayout:
    """The layout of ``battery``; ``ValueError`` for an unknown instrument."""
    ids: list[str] = []
    page: list[int] = []
    shown: list[np.ndarray] = []
    ascending: list[np.ndarray] = []
    up: list[bool] = []
    scales: list[tuple[int, ...]] = []
    counts: list[int] = []
    for index, iid in enumerate(battery):
        if iid not in instruments:
            raise ValueError(f"unknown instrument {iid!r}")
        inst = instruments[iid]
        start = len(ids)
        for item in inst.items:
            ids.append(item.id)
            page.append(index)
            shown.append(np.array([float(o.value) for o in item.options]))
            ascending.append(np.array([float(v) for v in item.values]))
            up.append(item.reverse == (iid in WELLBEING_INSTRUMENTS))
        counts.append(inst.n_items)
        scales += [tuple(start + i for i in s.items) for s in inst.scores if s.derived_from is None]
    return BatteryLayout(
        item_ids=tuple(ids),
        page=np.array(page, dtype=np.int64),
        page_items=np.array(counts, dtype=np.int64),
        scales=tuple(scales),
        shown=tuple(shown),
        ascending=tuple(ascending),
        distress_up=np.array(up, dtype=bool),
    )


def option_index(answers: np.ndarray, options: Sequence[np.ndarray]) -> np.ndarray:
    """``(n, p)`` index of each answer among its item's ``options``; NaN where unanswered.

    ``ValueError`` names the first answer that is not an option of its item."""
    index = np.full(answers.shape, np.nan)
    for column, values in enumerate(options):
        x = answers[:, column]
        for k, value in enumerate(values):
            index[x == value, column] = k
        bad = ~np.isnan(x) & np.isnan(index[:, column])
        if bad.any():
            row = int(np.argmax(bad))
            raise ValueError(f"row {row}, item {column}: {x[row]!r} is not an option")
    return index


def keyed_values(answers: np.ndarray, layout: BatteryLayout) -> np.ndarray:
    """``(n, p)`` answers on 0 (least distress) .. 1 (most distress); NaN where unanswered."""
    rank = option_index(answers, layout.ascending)
    top = np.array([len(v) - 1 for v in layout.ascending], dtype=float)
    scaled = rank / top
    keyed: np.ndarray = np.where(layout.distress_up, scaled, 1.0 - scaled)
    return keyed


def antonym_columns(layout: BatteryLayout) -> np.ndarray:
    """``(m, 2)`` battery columns of the known antonym pairs whose items are in the battery."""
    where = {item: i for i, item in enumerate(layout.item_ids)}
    pairs = [(where[a], where[b]) for a, b in KNOWN_ANTONYMS if a in where and b in where]
    return np.array(pairs, dtype=np.int64).reshape(len(pairs), 2)
