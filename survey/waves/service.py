"""Wave operations for the admin pages, the CLI and the jobs: session first, flush only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from census.models import Response, Wave, WaveState, WaveUnit
from census.score_spread import freeze_score_spreads
from census.signals import announce_release
from instruments import load_instruments
from survey.teacher.answer_retention import is_past_retention
from survey.waves.population import Unit, check_units
from survey.waves.rules import (
    EDITABLE,
    BatteryLocked,
    WaveError,
    apply_action,
    check_battery,
    check_window,
    due_state,
)


@lru_cache(maxsize=1)
def known_instruments() -> tuple[str, ...]:
    """Ids of the instruments under ``instruments/`` (loaded and checked once)."""
    return tuple(load_instruments())


@dataclass(frozen=True)
class WaveSpec:
    """What an administrator sets: name, battery, window and population."""

    name: str
    battery: tuple[str, ...]
    opens_at: dt.datetime
    closes_at: dt.datetime
    units: tuple[Unit, ...]
    confirm_no_safety_item: bool = False


def _checked(session: Session, spec: WaveSpec) -> tuple[str, tuple[str, ...], list[Unit]]:
    name = spec.name.strip()
    if not name or len(name) > 200:
        raise WaveError("名称须为 1–200 个字符 / the name needs 1-200 characters")
    battery = check_battery(spec.battery, known_instruments(), spec.confirm_no_safety_item)
    check_window(spec.opens_at, spec.closes_at)
    return name, battery, check_units(session, list(spec.units))


def create_wave(session: Session, spec: WaveSpec, now: dt.datetime) -> Wave:
    """A new draft wave."""
    name, battery, units = _checked(session, spec)
    wave = Wave(
        name=name,
        battery=list(battery),
        no_safety_item_confirmed=spec.confirm_no_safety_item,
        opens_at=spec.opens_at,
        closes_at=spec.closes_at,
        state=WaveState.DRAFT,
        created_at=now,
        units=[WaveUnit(district_id=u.district_id, school_id=u.school_id) for u in units],
    )
    session.add(wave)
    session.flush()
    return wave


def has_answers(session: Session, wave: Wave) -> bool:
    """Whether any response (draft or submitted) exists for the wave."""
    return bool(session.scalar(select(exists().where(Response.wave_id == wave.id))))


def update_wave(session: Session, wave: Wave, spec: WaveSpec) -> Wave:
    """Change a draft or scheduled wave; the battery only until the first answer."""
    if wave.state not in EDITABLE:
        raise WaveError("只能修改草稿或已排期的普查 / only draft or scheduled waves can change")
    name, battery, units = _checked(session, spec)
    if list(battery) != list(wave.battery) and (
        wave.battery_locked_at is not None or has_answers(session, wave)
    ):
        raise BatteryLocked("已有作答，问卷组合不能再改 / answers exist: the battery is locked")
    wave.name, wave.battery = name, list(battery)
    wave.no_safety_item_confirmed = spec.confirm_no_safety_item
    wave.opens_at, wave.closes_at = spec.opens_at, spec.closes_at
    current = {Unit(u.district_id, u.school_id): u for u in wave.units}
    wave.units = [
        current.get(u) or WaveUnit(district_id=u.district_id, school_id=u.school_id) for u in units
    ]
    session.flush()
    return wave


def change_state(session: Session, wave: Wave, action: str, now: dt.datetime) -> WaveState:
    """Schedule, unschedule, open now, close now or release a wave."""
    target = apply_action(wave.state, action)
    if action == "schedule" and now >= wave.closes_at:
        raise WaveError("结束时间已过 / the close time has passed")
    if action == "open":
        wave.opens_at = min(wave.opens_at, now)
    if action == "close":
        wave.closes_at = min(wave.closes_at, now)
    if action == "release":
        if is_past_retention(wave.closes_at, now):
            # Its answers are erased (or about to be): a report now would count empty rows.
            raise WaveError("回答已过保存期限，不能再发布 / the answers are past their retention")
        wave.released_at = now
    wave.state = target
    session.flush()
    if action == "close":
        freeze_score_spreads(session, wave, now)  # what the next wave's change is judged by
    if action == "release":
        # The app's reports freeze the wave's report here, once, in this transaction.
        announce_release(session, wave, now)
    return target


def advance_by_clock(session: Session, wave: Wave, now: dt.datetime) -> list[WaveState]:
    """Move a wave through every state its times have reached (scheduled → open → closed); a
    closing wave's score spreads are frozen with it."""
    passed = []
    while (target := due_state(wave.state, wave.opens_at, wave.closes_at, now)) is not None:
        wave.state = target
        passed.append(target)
    session.flush()
    if WaveState.CLOSED in passed:
        freeze_score_spreads(session, wave, now)
    return passed


def set_unit_opening(
    session: Session, wave: Wave, unit_id: int, opens_at: dt.datetime | None
) -> WaveUnit:
    """Open one district or school later than the wave (None: with the wave)."""
    if wave.state not in EDITABLE:
        raise WaveError("只能在开放前设置 / set opening times before the wave opens")
    unit = next((u for u in wave.units if u.id == unit_id), None)
    if unit is None:
        raise WaveError("没有此范围 / no such part of the population")
    if opens_at is not None and not wave.opens_at <= opens_at < wave.closes_at:
        raise WaveError("须在普查时间窗内 / the opening must fall inside the wave's window")
    unit.opens_at = opens_at
    session.flush()
    return unit
