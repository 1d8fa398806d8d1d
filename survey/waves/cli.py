"""``flask --app app wave create|list|schedule|open|close|release|invite|forecast``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from census.models import Wave, WaveState
from config.current import current_settings
from config.settings import Settings
from db import utcnow
from db.current import current_database
from privacy.audit.record import record
from privacy.vault import key_ring
from survey.invitations.messages import enqueue_for_wave
from survey.invitations.service import ensure_invitations, status_counts
from survey.waves.forecast_data import release_reader, wave_forecast
from survey.waves.population import Unit
from survey.waves.rules import DEFAULT_BATTERY, WaveError, to_local, to_utc
from survey.waves.service import WaveSpec, change_state, create_wave

wave_cli = AppGroup("wave", help="Census waves: create, schedule, open, close, invite.")


def _session() -> Session:
    return current_database().session()


def _settings() -> Settings:
    return current_settings()


def _wave(session: Session, wave_id: int) -> Wave:
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise click.ClickException(f"no wave {wave_id}")
    return wave


@wave_cli.command("create")
@click.option("--name", required=True)
@click.option("--battery", default=",".join(DEFAULT_BATTERY), show_default=True)
@click.option("--opens", "opens", required=True, help="YYYY-MM-DD HH:MM, Asia/Shanghai")
@click.option("--closes", "closes", required=True, help="YYYY-MM-DD HH:MM, Asia/Shanghai")
@click.option("--population", multiple=True, default=["city"], show_default=True,
              help="city, district:ID or school:ID; repeat for several")  # fmt: skip
@click.option("--confirm-no-safety-item", is_flag=True, help="Allow a battery without PHQ-9.")
@click.option("--schedule", is_flag=True, help="Schedule it at once (the scheduler opens it).")
def create(
    name: str,
    battery: str,
    opens: str,
    closes: str,
    population: tuple[str, ...],
    confirm_no_safety_item: bool,
    schedule: bool,
) -> None:
    """Create a wave (a draft, or scheduled with --schedule)."""
    session, zone = _session(), _settings().timezone
    try:
        spec = WaveSpec(
            name, tuple(battery.split(",")), to_utc(opens, zone), to_utc(closes, zone),
            tuple(Unit.parse(p) for p in population), confirm_no_safety_item,
        )  # fmt: skip
        wave = create_wave(session, spec, utcnow())
        if schedule:
            change_state(session, wave, "schedule", utcnow())
    except WaveError as error:
        raise click.ClickException(str(error)) from None
    record(session, "system", "wave.create", object_type="wave", object_id=wave.id)
    session.commit()
    click.echo(f"wave {wave.id} created ({wave.state.value})")


@wave_cli.command("list")
def list_waves() -> None:
    """Every wave with its state, window (Asia/Shanghai) and invitation counts."""
    session, zone = _session(), _settings().timezone
    for wave in session.scalars(select(Wave).order_by(Wave.id)):
        counts = status_counts(session, wave.id)
        shown = " ".join(f"{k}={v}" for k, v in counts.items() if v)
        click.echo(
            f"{wave.id}\t{wave.state.value}\t{to_local(wave.opens_at, zone)} → "
            f"{to_local(wave.closes_at, zone)}\t{wave.name}\t{shown}"
        )


def _transition(wave_id: int, action: str) -> None:
    session = _session()
    wave = _wave(session, wave_id)
    try:
        state = change_state(session, wave, action, utcnow())
    except WaveError as error:
        raise click.ClickException(str(error)) from None
    record(session, "system", f"wave.{action}", object_type="wave", object_id=wave.id)
    session.commit()
    click.echo(f"wave {wave.id} is {state.value}")


@wave_cli.command("schedule")
@click.argument("wave_id", type=int)
def schedule(wave_id: int) -> None:
    """Schedule a draft wave: the scheduler opens it at its time."""
    _transition(wave_id, "schedule")


@wave_cli.command("open")
@click.argument("wave_id", type=int)
def open_now(wave_id: int) -> None:
    """Open a scheduled wave now."""
    _transition(wave_id, "open")


@wave_cli.command("close")
@click.argument("wave_id", type=int)
def close_now(wave_id: int) -> None:
    """Close an open wave now: it accepts nothing more."""
    _transition(wave_id, "close")


@wave_cli.command("release")
@click.argument("wave_id", type=int)
def release(wave_id: int) -> None:
    """Release a closed wave's report."""
    _transition(wave_id, "release")


@wave_cli.command("invite")
@click.argument("wave_id", type=int)
def invite(wave_id: int) -> None:
    """Create the missing invitations now and queue the invitation messages due."""
    session, now = _session(), utcnow()
    wave = _wave(session, wave_id)
    if wave.state not in (WaveState.SCHEDULED, WaveState.OPEN):
        raise click.ClickException("only scheduled or open waves invite")
    created = ensure_invitations(session, wave, key_ring(), now)
    queued = enqueue_for_wave(session, _settings(), wave, now, reminders=False)
    record(session, "system", "wave.invite", object_type="wave", object_id=wave.id,
           detail={"created": created})  # fmt: skip
    session.commit()
    click.echo(f"{created} invitations created, {queued} messages queued")


@wave_cli.command("forecast")
@click.argument("wave_id", type=int)
def forecast(wave_id: int) -> None:
    """Expected cases per district against the psychologists' capacity ("-": level hidden)."""
    session = _session()
    wave = _wave(session, wave_id)
    rates, districts = wave_forecast(session, _settings(), wave, release_reader(current_app))
    click.echo(f"rates from {rates.source}: cases {rates.cases:.3f}")
    for d in districts:
        flag = "  OVER CAPACITY" if d.is_over_capacity else ""
        click.echo(
            f"{d.load.name}\tteachers {d.load.teachers}\tcrisis {_shown(d.crisis)}\t"
            f"high {_shown(d.high)}\tcases {d.cases}\t"
            f"capacity {d.capacity}\theadroom {d.headroom}{flag}"
        )


def _shown(count: int | None) -> str:
    return "-" if count is None else str(count)
