"""Wave rules, pure: the battery check, the state machine, and when a school's part is open.

Nothing here touches the database or the clock; jobs and services pass ``now`` in. Times are UTC
in storage and Asia/Shanghai (the settings' zone) wherever a person types or reads them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from zoneinfo import ZoneInfo

from census.models import Wave, WaveState, WaveUnit
from org.models import School

DEFAULT_BATTERY = ("phq9", "gad7", "who5", "k10", "pss10", "cbi")
# The instrument that carries the safety item (PHQ-9 item 9): without it nobody is caught early.
SAFETY_INSTRUMENT = "phq9"
LOCAL_FORMAT = "%Y-%m-%d %H:%M"

# action -> {from state: to state}; anything else is refused.
ACTIONS: dict[str, dict[WaveState, WaveState]] = {
    "schedule": {WaveState.DRAFT: WaveState.SCHEDULED},
    "unschedule": {WaveState.SCHEDULED: WaveState.DRAFT},
    "open": {WaveState.SCHEDULED: WaveState.OPEN},
    "close": {WaveState.OPEN: WaveState.CLOSED},
    "release": {WaveState.CLOSED: WaveState.RELEASED},
}
EDITABLE = frozenset({WaveState.DRAFT, WaveState.SCHEDULED})


class WaveError(ValueError):
    """A wave operation refused; the message is shown to the administrator as it is."""


class NoSafetyItem(WaveError):
    """A battery without PHQ-9 was not explicitly confirmed."""


class BatteryLocked(WaveError):
    """The battery cannot change once the first answer is saved."""


def check_battery(
    battery: Sequence[str], known: Collection[str], confirmed_without_safety: bool
) -> tuple[str, ...]:
    """The battery as a tuple: non-empty, known, without repeats, and safe or confirmed."""
    ids = tuple(i.strip().lower() for i in battery if i.strip())
    if not ids:
        raise WaveError("问卷组合不能为空 / the battery needs at least one instrument")
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise WaveError(f"未知量表 / unknown instrument(s): {', '.join(unknown)}")
    if len(set(ids)) != len(ids):
        raise WaveError("量表重复 / an instrument appears twice")
    if SAFETY_INSTRUMENT not in ids and not confirmed_without_safety:
        raise NoSafetyItem(
            "没有 PHQ-9 就没有安全条目，需明确确认 / without PHQ-9 there is no safety item: "
            "confirm explicitly"
        )
    return ids


def has_safety_item(battery: Sequence[str]) -> bool:
    """Whether the battery can catch a safety answer (it holds PHQ-9)."""
    return SAFETY_INSTRUMENT in battery


def check_window(opens_at: dt.datetime, closes_at: dt.datetime) -> None:
    """A window closes after it opens."""
    if closes_at <= opens_at:
        raise WaveError("结束时间须晚于开始时间 / the wave must close after it opens")


def apply_action(state: WaveState, action: str) -> WaveState:
    """The state after ``action``, or WaveError when the action does not apply to ``state``."""
    target = ACTIONS.get(action, {}).get(state)
    if target is None:
        raise WaveError(
            f"状态 {state.value} 不能执行 {action} / cannot {action} a {state.value} wave"
        )
    return target


def due_state(
    state: WaveState, opens_at: dt.datetime, closes_at: dt.datetime, now: dt.datetime
) -> WaveState | None:
    """The state the clock moves a wave to now (one step), or None when nothing is due."""
    if state is WaveState.SCHEDULED and now >= opens_at:
        return WaveState.OPEN
    if state is WaveState.OPEN and now >= closes_at:
        return WaveState.CLOSED
    return None


def _covers(unit: WaveUnit, school_id: int, district_id: int) -> bool:
    if unit.school_id is not None:
        return unit.school_id == school_id
    if unit.district_id is not None:
        return unit.district_id == district_id
    return True  # the whole city


def unit_opens_at(wave: Wave, school_id: int, district_id: int) -> dt.datetime | None:
    """When the wave opens for this school (its unit's own time or the wave's); None if outside."""
    times = [
        max(unit.opens_at or wave.opens_at, wave.opens_at)
        for unit in wave.units
        if _covers(unit, school_id, district_id)
    ]
    return min(times) if times else None


def wave_accepts_answers(wave: Wave, school: School, now: dt.datetime) -> bool:
    """Whether a teacher of ``school`` may save or submit answers to ``wave`` at ``now``."""
    if wave.state is not WaveState.OPEN or now >= wave.closes_at:
        return False
    opens = unit_opens_at(wave, school.id, school.district_id)
    return opens is not None and opens <= now


def is_battery_locked(wave: Wave) -> bool:
    """Whether the first answer has been saved (then the battery stays as it is)."""
    return wave.battery_locked_at is not None


def to_utc(local_text: str, timezone: str) -> dt.datetime:
    """A ``YYYY-MM-DD HH:MM`` (or ISO ``T``) time typed in ``timezone``, as an aware UTC time."""
    text = local_text.strip().replace("T", " ")
    try:
        naive = dt.datetime.strptime(text[:16], LOCAL_FORMAT)
    except ValueError:
        raise WaveError("时间格式应为 YYYY-MM-DD HH:MM / use YYYY-MM-DD HH:MM") from None
    return naive.replace(tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


def to_local(when: dt.datetime | None, timezone: str) -> str:
    """A stored UTC time as ``YYYY-MM-DD HH:MM`` in ``timezone`` (empty for None)."""
    return "" if when is None else when.astimezone(ZoneInfo(timezone)).strftime(LOCAL_FORMAT)
