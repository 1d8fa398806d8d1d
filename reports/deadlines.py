"""Whether cases were acknowledged and first contacted within their deadlines (pure).

A case is acknowledged when its first event moves it out of "new" (the same act that stops the
acknowledge sweep), and first contacted by its first event into "contacted". Each is on time when
it happened at or before the case's deadline, late after it, and "not yet" when it has not
happened by the release time. Only events up to the release time count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

ON_TIME, LATE, NOT_YET = 0, 1, 2
OUTCOMES = ("on_time", "late", "not_yet")


@dataclass(frozen=True)
class CaseClock:
    """One case's level, deadlines, and its events as (time, from state, to state)."""

    level: str
    acknowledge_due_at: dt.datetime | None
    contact_due_at: dt.datetime
    events: tuple[tuple[dt.datetime, str, str], ...]


def _first(
    events: Iterable[tuple[dt.datetime, str, str]],
    now: dt.datetime,
    hit: Callable[[str, str], bool],
) -> dt.datetime | None:
    times = [at for at, src, dst in events if at <= now and hit(src, dst)]
    return min(times) if times else None


def _judge(done: dt.datetime | None, due: dt.datetime) -> int:
    if done is None:
        return NOT_YET
    return ON_TIME if done <= due else LATE


def acknowledge_outcome(case: CaseClock, now: dt.datetime) -> int | None:
    """ON_TIME, LATE or NOT_YET for a case with an acknowledge deadline; None without one."""
    if case.acknowledge_due_at is None:
        return None
    done = _first(case.events, now, lambda src, dst: src == "new" and dst != "new")
    return _judge(done, case.acknowledge_due_at)


def contact_outcome(case: CaseClock, now: dt.datetime) -> int:
    """ON_TIME, LATE or NOT_YET for the case's first contact."""
    done = _first(case.events, now, lambda _src, dst: dst == "contacted")
    return _judge(done, case.contact_due_at)


def tally(cases: Iterable[CaseClock], levels: list[str], now: dt.datetime) -> dict[str, list[int]]:
    """Per level: [ack on time, late, not yet, contact on time, late, not yet]."""
    out = {level: [0] * 6 for level in levels}
    for case in cases:
        if case.level not in out:
            continue
        ack = acknowledge_outcome(case, now)
        if ack is not None:
            out[case.level][ack] += 1
        out[case.level][3 + contact_outcome(case, now)] += 1
    return out
