"""The one synthetic census behind the whole demo: the roster and every wave's answers.

``scoring.synthetic.synthetic_census`` draws teachers (school, district, school level, gender,
age, years of service, subject group) and three waves of answers from a known generating process
(latent distress carried from wave to wave, school effects, graded-response items, a labelled
share of careless answers, page times). The roster is made from its teachers and each demo wave
from one of its waves, so the answers, the levels and the reports the demo shows all come from
that one process, and the analysis has real structure to find.

Staff numbers put the psychology teachers first: two per school, ``DEMO00001`` being the first
at the first school, in school order (by district, then school code), then the second at each
school, then every other teacher in census order. ``demo.accounts`` names logins by those
numbers, whatever the census size.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from scoring.synthetic import SyntheticCensus, synthetic_census

DEMO_TEACHERS = 3000
# The smallest city `flask demo seed` takes: its released waves hold enough outcomes for the
# demo's model to learn from (500 teachers do not).
MIN_TEACHERS = 1000
DEMO_SCHOOLS = 14
# The census's waves, oldest first: two released, the last one open.
DEMO_WAVES = 3
CENSUS_SEED = 20261207
# District codes of the census, in order, as named on the demo roster.
DISTRICT_NAMES = ("演示东区", "演示西区", "演示北区")
# School level codes of the census (0 primary, 1 junior secondary, 2 senior secondary).
LEVELS = (("primary", "小学"), ("junior", "初级中学"), ("senior", "高级中学"))
ORDINALS = "一二三四五六七八九十"


@lru_cache(maxsize=4)
def demo_census(teachers: int = DEMO_TEACHERS) -> SyntheticCensus:
    """The demo's census of ``teachers`` (the same every time: a fixed seed)."""
    return synthetic_census(teachers, DEMO_WAVES, n_schools=DEMO_SCHOOLS, seed=CENSUS_SEED)


def school_order(census: SyntheticCensus) -> list[int]:
    """The census's school codes in roster order: by district, then by code."""
    codes = sorted(set(int(s) for s in census.school))
    district = {int(s): int(d) for s, d in zip(census.school, census.district, strict=True)}
    return sorted(codes, key=lambda s: (district[s], s))


def school_names(census: SyntheticCensus) -> dict[int, tuple[str, str, str]]:
    """Per school code: (district name, school name, school level), numbered within district."""
    district = {int(s): int(d) for s, d in zip(census.school, census.district, strict=True)}
    level = {int(s): int(v) for s, v in zip(census.school, census.school_level, strict=True)}
    names: dict[int, tuple[str, str, str]] = {}
    counted: dict[tuple[int, int], int] = {}
    for code in school_order(census):
        d, v = district[code], level[code]
        n = counted[d, v] = counted.get((d, v), 0) + 1
        place = DISTRICT_NAMES[d]
        names[code] = (place, f"{place}第{ORDINALS[n - 1]}{LEVELS[v][1]}", LEVELS[v][0])
    return names


def staff_order(census: SyntheticCensus) -> np.ndarray:
    """Census indexes in staff-number order (index 0 is ``DEMO00001``): two psychology teachers
    per school first (see the module docstring), then the rest in census order."""
    schools = school_order(census)
    members = {s: np.flatnonzero(census.school == s) for s in schools}
    if min(len(m) for m in members.values()) < 2:
        raise ValueError("every demo school needs two teachers at least")
    first = [int(members[s][rank]) for rank in (0, 1) for s in schools]
    chosen = set(first)
    rest = [i for i in range(len(census.ids)) if i not in chosen]
    return np.array(first + rest, dtype=np.int64)


def psychologists(census: SyntheticCensus) -> int:
    """How many psychology teachers the roster has (two per school), the first staff numbers."""
    return 2 * len(school_order(census))
