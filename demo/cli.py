"""``flask --app app demo seed|totp``: the synthetic demo and its logins."""

from __future__ import annotations

import os
from dataclasses import replace

import click
import pyotp
from flask.cli import AppGroup
from sqlalchemy import select

from accounts.models import StaffAccount
from accounts.passwords import current_passwords
from accounts.totp import provisioning_uri
from alerts.routing import policy_from_settings
from config.current import current_settings
from config.settings import Settings
from db import utcnow
from db.current import current_database
from demo.accounts import DEMO_PASSWORD, demo_accounts
from demo.analysis import analyse_demo_waves
from demo.census import DEMO_SCHOOLS, DEMO_TEACHERS, DISTRICT_NAMES, MIN_TEACHERS
from demo.released import seed_released_demo_waves
from demo.seed import has_data, seed_demo
from demo.wave import demo_wave, seed_demo_wave, waiting_invitation
from privacy.vault import key_ring
from survey.invitations.service import link_url

demo_cli = AppGroup("demo", help="Synthetic demo data.")
DEFAULT_BASE_URL = Settings.base_url


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database holds teachers.")
@click.option(
    "--teachers",
    type=click.IntRange(min=MIN_TEACHERS),
    default=DEMO_TEACHERS,
    show_default=True,
    help="How many synthetic teachers (a smaller city seeds faster; its reports hide more).",
)
def seed(if_empty: bool, teachers: int) -> None:
    """Seed 3 districts, 14 schools, 3,000 teachers (or --teachers), the demo logins, two released
    waves and an open one."""
    settings = current_settings()
    session = current_database().session()
    if not settings.demo:
        if if_empty:  # `make run` with demo mode off: nothing to do, and nothing wrong
            return
        raise click.ClickException("demo mode is off (XINAN_DEMO=false): nothing seeded")
    if has_data(session):
        if not if_empty:
            raise click.ClickException("the database already holds teachers: nothing seeded")
        click.echo("demo data already present")
    else:
        now = utcnow()
        routing = policy_from_settings(settings)
        report = seed_demo(
            session, current_passwords(), settings.demo_totp_secret, now, teachers=teachers
        )
        released = seed_released_demo_waves(session, now, routing=routing)
        seeded = seed_demo_wave(session, now, routing=routing)
        session.commit()
        analyse_demo_waves(session, settings.instance_path, now)
        click.echo(
            f"demo seeded: {report.created} synthetic teachers, {len(DISTRICT_NAMES)} districts,"
            f" {DEMO_SCHOOLS} schools"
        )
        for wave in released:
            click.echo(f"earlier demo wave released, its report at /reports/{wave.id} (analyst)")
        click.echo(f"demo wave open: {seeded.submitted} of {report.created} teachers answered")
    _print_logins(settings.demo_totp_secret)
    _print_teacher_link(settings)


def _print_teacher_link(settings: Settings) -> None:
    session = current_database().session()
    wave = demo_wave(session)
    invitation = waiting_invitation(session, wave) if wave is not None else None
    if invitation is None:
        return
    base = settings.base_url
    port = os.environ.get("PORT")
    if port and base == DEFAULT_BASE_URL:  # `make run` serves on $PORT: print a link that works
        base = f"http://127.0.0.1:{port}"
    url = link_url(replace(settings, base_url=base), key_ring(), invitation.id)
    phone = invitation.teacher.phone or ""
    click.echo(f"demo teacher's survey link (not answered yet): {url}")
    click.echo(f"  confirm with the last four digits of the phone: {phone[-4:]}")


def _print_logins(secret: str) -> None:
    session = current_database().session()
    names = set(session.scalars(select(StaffAccount.username)))
    present = [spec for spec in demo_accounts() if spec.username in names]
    if not present:
        return
    click.echo(f"demo staff logins (password {DEMO_PASSWORD}):")
    for spec in present:
        click.echo(f"  {spec.username:<16} {spec.role.value}")
    click.echo(f"TOTP for every demo login: {provisioning_uri(secret, 'demo')}")
    click.echo("  current code: flask --app app demo totp")


@demo_cli.command("totp")
def totp() -> None:
    """Print the demo logins' current TOTP code (demo mode only)."""
    settings = current_settings()
    if not settings.demo or not settings.demo_totp_secret:
        raise click.ClickException("demo mode is off: there is no shared demo TOTP secret")
    click.echo(pyotp.TOTP(settings.demo_totp_secret).now())
