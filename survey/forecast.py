"""Before a wave opens: how many crisis and high cases will it create, against whose capacity?

Pure arithmetic over inputs the page loads (``survey.forecast_data``). Rates come from the
previous completed wave when there is one, otherwise from published figures (instruments.md,
"Context: the teachers": self-harm or suicidal thoughts 2.8%, depression 4.0%, anxiety
GAD-7 ≥ 10 17.7% in a national survey of 18,521 teachers, 2021). Those come from other
instruments and samples: a rough guide, rounded up, never a norm. Without a previous wave every
invited teacher is assumed to answer, so that the forecast errs towards too many cases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Rates:
    """Shares of respondents at each level, and the share of invited teachers who answer."""

    crisis: float
    high: float
    moderate: float
    participation: float
    source: str


PUBLISHED = Rates(crisis=0.028, high=0.040, moderate=0.177, participation=1.0, source="published")


@dataclass(frozen=True)
class DistrictLoad:
    """One district's population for the wave, its psychologists and their open cases now."""

    district_id: int
    name: str
    teachers: int
    psychologists: int
    open_cases: int


@dataclass(frozen=True)
class DistrictForecast:
    """Expected respondents and cases in one district against its psychologists' capacity."""

    load: DistrictLoad
    respondents: int
    crisis: int
    high: int
    moderate: int
    capacity: int

    @property
    def cases(self) -> int:
        """Crisis and high responses each open a case for a psychologist."""
        return self.crisis + self.high

    @property
    def headroom(self) -> int:
        """Capacity left once the open cases and the expected new ones are counted (may be < 0)."""
        return self.capacity - self.load.open_cases - self.cases

    @property
    def is_over_capacity(self) -> bool:
        """Whether the district would have more open cases than its psychologists can carry."""
        return self.headroom < 0


def forecast(
    loads: list[DistrictLoad], rates: Rates, case_cap: int, has_safety_item: bool
) -> list[DistrictForecast]:
    """The forecast per district; expected counts are rounded up (better too many than too few)."""
    result = []
    for load in loads:
        respondents = math.ceil(load.teachers * rates.participation)
        crisis = math.ceil(respondents * rates.crisis) if has_safety_item else 0
        result.append(
            DistrictForecast(
                load=load,
                respondents=respondents,
                crisis=crisis,
                high=math.ceil(respondents * rates.high),
                moderate=math.ceil(respondents * rates.moderate),
                capacity=load.psychologists * case_cap,
            )
        )
    return result


def observed_rates(
    invited: int, submitted: int, crisis: int, high: int, moderate: int
) -> Rates | None:
    """Rates seen in a completed wave, or None when it had no submissions to learn from."""
    if submitted <= 0 or invited <= 0:
        return None
    return Rates(
        crisis=crisis / submitted,
        high=high / submitted,
        moderate=moderate / submitted,
        participation=min(submitted / invited, 1.0),
        source="previous_wave",
    )
