"""Before a wave opens: how many cases will it create, against whose capacity?

Pure arithmetic over inputs the page loads (``survey.waves.forecast_data``). Rates come from the
frozen report of the latest released wave when there is one (``survey.waves.forecast_release``),
otherwise from published figures (instruments.md, "Context: the teachers": self-harm or suicidal
thoughts 2.8%, depression 4.0%, anxiety GAD-7 ≥ 10 17.7% in a national survey of 18,521 teachers,
2021). Those come from other instruments and samples: a rough guide, rounded up, never a norm.
Without a released wave every invited teacher is assumed to answer, so that the forecast errs
towards too many cases.

A released report always publishes how many cases its wave opened (at most k − 1 when fewer),
but often hides the split by level to protect a small cell: then the forecast has the cases and
not their levels (``None``), and says so.

Nothing here is live: no count of open cases, no rate read from answers that are still coming in
or can still be withdrawn. A figure on the system administrator's page that moves while a wave is
open names whoever moved it (issue 15, finding 2); the follow-up load of the moment is the
district supervisors' to watch, on their own page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Rates:
    """Shares of respondents: at each level (None where not known), who needed a psychologist
    (``cases``: crisis, high, and a moderate who asked to talk), and of invited who answer.

    ``source`` is ``published`` or ``released_wave`` (then ``wave_name`` names the release).
    """

    crisis: float | None
    high: float | None
    moderate: float | None
    cases: float
    participation: float
    source: str
    wave_name: str = ""


PUBLISHED = Rates(
    crisis=0.028, high=0.040, moderate=0.177, cases=0.068, participation=1.0, source="published"
)


@dataclass(frozen=True)
class DistrictLoad:
    """One district's population for the wave and the psychologists serving it."""

    district_id: int
    name: str
    teachers: int
    psychologists: int


@dataclass(frozen=True)
class DistrictForecast:
    """Expected respondents and cases in one district against its psychologists' capacity."""

    load: DistrictLoad
    respondents: int
    crisis: int | None
    high: int | None
    moderate: int | None
    cases: int
    capacity: int

    @property
    def headroom(self) -> int:
        """Capacity left once the expected new cases are counted (may be < 0)."""
        return self.capacity - self.cases

    @property
    def is_over_capacity(self) -> bool:
        """Whether the district would have more open cases than its psychologists can carry."""
        return self.headroom < 0


def _up(value: float) -> int:
    # Rounded up, but 1000 × 0.068 is 68, not 69 because of the float's last bit.
    return math.ceil(round(value, 6))


def _expected(respondents: int, rate: float | None) -> int | None:
    return None if rate is None else _up(respondents * rate)


def forecast(
    loads: list[DistrictLoad], rates: Rates, case_cap: int, has_safety_item: bool
) -> list[DistrictForecast]:
    """The forecast per district; expected counts are rounded up (better too many than too few).

    Without a safety item no crisis is caught: the crisis share leaves the cases when it is
    known, and when it is not the cases stay as they are (too many rather than too few).
    """
    cases_rate = rates.cases
    if not has_safety_item and rates.crisis is not None:
        cases_rate = max(cases_rate - rates.crisis, 0.0)
    result = []
    for load in loads:
        respondents = _up(load.teachers * rates.participation)
        result.append(
            DistrictForecast(
                load=load,
                respondents=respondents,
                crisis=_expected(respondents, rates.crisis) if has_safety_item else 0,
                high=_expected(respondents, rates.high),
                moderate=_expected(respondents, rates.moderate),
                cases=_up(respondents * cases_rate),
                capacity=load.psychologists * case_cap,
            )
        )
    return result


def observed_rates(
    invited: int | None,
    respondents: int,
    cases: int,
    *,
    crisis: int | None = None,
    high: int | None = None,
    moderate: int | None = None,
    wave_name: str = "",
) -> Rates | None:
    """Rates of a released wave, or None when it had no respondents to learn from.

    ``invited`` None (not published) counts every invited teacher as answering.
    """
    if respondents <= 0 or (invited is not None and invited <= 0):
        return None

    def share(count: int | None) -> float | None:
        return None if count is None else count / respondents

    return Rates(
        crisis=share(crisis),
        high=share(high),
        moderate=share(moderate),
        cases=cases / respondents,
        participation=1.0 if invited is None else min(respondents / invited, 1.0),
        source="released_wave",
        wave_name=wave_name,
    )
