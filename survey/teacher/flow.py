"""The shape of the teacher's path: which pages a battery has and where a teacher stands.
Pure: no Flask, no session; the clock is a parameter.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from functools import lru_cache

from census.models import InvitationStatus
from instruments import Instrument, instruments_by_id
from scoring import BatteryPlan, compile_battery, default_policy
from survey.teacher.link import InvitationFacts, ResponseFacts

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


def page_order(battery: Sequence[str]) -> tuple[str, ...]:
    """One page per instrument: PHQ-9 first when present (its safety item matters most), then
    the others in battery order."""
    ids = tuple(battery)
    if SAFETY_INSTRUMENT in ids:
        return (SAFETY_INSTRUMENT, *(i for i in ids if i != SAFETY_INSTRUMENT))
    return ids


def page_instruments(battery: Sequence[str]) -> tuple[Instrument, ...]:
    """The instruments of a battery's pages, in page order."""
    known = instruments_by_id()
    return tuple(known[i] for i in page_order(battery))


def next_step(invitation: InvitationFacts, *, confirmed: bool, unlocked: bool) -> Step:
    """Where a teacher with this invitation (and this browser's state) goes next.

    The phone ending comes first, whatever the teacher's state: until this browser has given it
    (or unlocked with the PIN, which comes after it), every link of a wave leads to the same
    step, so holding a link tells nothing about where its teacher stands."""
    if not (confirmed or unlocked):
        return Step.CONFIRM
    status = invitation.status
    if status is InvitationStatus.DECLINED:
        return Step.DECLINED
    if status is InvitationStatus.WITHDRAWN:
        return Step.WITHDRAWN
    if invitation.pin_hash is None:
        return Step.SET_PIN
    if not unlocked:
        return Step.UNLOCK
    if status is InvitationStatus.SUBMITTED:
        return Step.DONE
    if invitation.consented_at is None:
        return Step.CONSENT
    return Step.PAGES


def resume_page(response: ResponseFacts | None, n_pages: int) -> int:
    """The page to open on resuming: the first one not yet saved (n_pages + 1 is the review)."""
    saved = response.pages_saved if response is not None else 0
    return min(saved + 1, n_pages + 1)
