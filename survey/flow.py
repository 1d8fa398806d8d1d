"""The shape of the teacher's path: which pages a battery has, whether a wave takes answers,
and where a teacher stands. Pure: no Flask, no session; the clock is a parameter.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from dataclasses import dataclass
from functools import lru_cache

from instruments import Instrument, load_instruments
from scoring import BatteryPlan, compile_battery, default_policy
from survey.models import Invitation, InvitationStatus, Response, Wave, WaveState, WaveUnit

SAFETY_INSTRUMENT = "phq9"


class Step(enum.StrEnum):
    """Where the teacher's next request should go."""

    CONFIRM = "confirm"
    SET_PIN = "set_pin"
    UNLOCK = "unlock"
    CONSENT = "consent"
    PAGES = "pages"
    DONE = "done"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class FlowError(Exception):
    """A request the teacher's current state does not allow; ``status`` is the HTTP answer."""

    status = 409
    reason = "state"


class WaveNotOpen(FlowError):
    """The wave is not taking answers now (not yet open, or closed)."""

    status = 403
    reason = "wave_closed"


class AlreadySubmitted(FlowError):
    """The link takes no more answers after submission."""

    reason = "submitted"


class Locked(FlowError):
    """Too many wrong tries: guesses are refused until the lock ends."""

    status = 429
    reason = "locked"


@lru_cache(maxsize=1)
def instruments_by_id() -> dict[str, Instrument]:
    """Every instrument file, loaded and checked once per process."""
    return dict(load_instruments())


@lru_cache(maxsize=64)
def compiled_battery(ids: tuple[str, ...]) -> BatteryPlan:
    """A battery (instrument ids in column order) compiled against the default risk policy,
    once per process: compiling costs more than scoring one teacher."""
    return compile_battery(ids, default_policy())


SECONDS_PER_ITEM = 15  # read, think, tap on a phone: a generous pace, so the promise holds


@lru_cache(maxsize=64)
def minutes_to_answer(battery: tuple[str, ...]) -> int:
    """About how long the battery takes, in whole five minutes and at least five: the figure the
    landing page, the invitations and the printed slips give (the default battery: 15)."""
    items = sum(len(instruments_by_id()[i].items) for i in battery)
    return max(5, math.ceil(items * SECONDS_PER_ITEM / 300) * 5)


def page_order(battery: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """One page per instrument: PHQ-9 first when present (its safety item matters most), then
    the others in battery order."""
    ids = tuple(battery)
    if SAFETY_INSTRUMENT in ids:
        return (SAFETY_INSTRUMENT, *(i for i in ids if i != SAFETY_INSTRUMENT))
    return ids


def page_instruments(wave: Wave) -> tuple[Instrument, ...]:
    """The instruments of the wave's pages, in page order."""
    known = instruments_by_id()
    return tuple(known[i] for i in page_order(wave.battery))


@dataclass(frozen=True)
class Window:
    """When a wave takes answers from one school."""

    opens_at: dt.datetime
    closes_at: dt.datetime


def window_for(wave: Wave, school_id: int, district_id: int) -> Window:
    """The wave's window for a school: a unit's own opening time (district by district) wins."""
    opens = wave.opens_at
    unit_times = [u.opens_at for u in wave.units if _covers(u, school_id, district_id)]
    specific = [t for t in unit_times if t is not None]
    if specific:
        opens = max(opens, min(specific))
    return Window(opens_at=opens, closes_at=wave.closes_at)


def _covers(unit: WaveUnit, school_id: int, district_id: int) -> bool:
    if unit.school_id is not None:
        return unit.school_id == school_id
    if unit.district_id is not None:
        return unit.district_id == district_id
    return True


def takes_answers(wave: Wave, window: Window, now: dt.datetime) -> bool:
    """Whether the wave is open for this school right now."""
    return wave.state is WaveState.OPEN and window.opens_at <= now < window.closes_at


def next_step(invitation: Invitation, *, confirmed: bool, unlocked: bool) -> Step:
    """Where a teacher with this invitation (and this browser's state) goes next."""
    status = invitation.status
    if status is InvitationStatus.DECLINED:
        return Step.DECLINED
    if status is InvitationStatus.WITHDRAWN:
        return Step.WITHDRAWN
    if invitation.pin_hash is None:
        return Step.SET_PIN if confirmed else Step.CONFIRM
    if not unlocked:
        return Step.UNLOCK
    if status is InvitationStatus.SUBMITTED:
        return Step.DONE
    if invitation.consented_at is None:
        return Step.CONSENT
    return Step.PAGES


def resume_page(response: Response | None, n_pages: int) -> int:
    """The page to open on resuming: the first one not yet saved (n_pages + 1 is the review)."""
    saved = response.pages_saved if response is not None else 0
    return min(saved + 1, n_pages + 1)
