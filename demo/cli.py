"""``flask --app app demo seed|totp``: the synthetic demo and its logins."""

from __future__ import annotations

import click
import pyotp
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from accounts.models import StaffAccount
from accounts.totp import provisioning_uri
from db import utcnow
from demo.accounts import DEMO_PASSWORD, demo_accounts
from demo.seed import has_data, seed_demo

demo_cli = AppGroup("demo", help="Synthetic demo data.")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database holds teachers.")
def seed(if_empty: bool) -> None:
    """Seed 2 districts, 6 schools, 300 synthetic teachers and the demo staff logins."""
    settings = current_app.extensions["xinan.settings"]
    session = current_app.extensions["xinan.db"].session()
    if not settings.demo:
        if if_empty:  # `make run` with demo mode off: nothing to do, and nothing wrong
            return
        raise click.ClickException("demo mode is off (XINAN_DEMO=false): nothing seeded")
    if has_data(session):
        if not if_empty:
            raise click.ClickException("the database already holds teachers: nothing seeded")
        click.echo("demo data already present")
    else:
        report = seed_demo(
            session, current_app.extensions["xinan.passwords"], settings.demo_totp_secret, utcnow()
        )
        session.commit()
        click.echo(f"demo seeded: {report.created} synthetic teachers, 2 districts, 6 schools")
    _print_logins(settings.demo_totp_secret)


def _print_logins(secret: str) -> None:
    session = current_app.extensions["xinan.db"].session()
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
    settings = current_app.extensions["xinan.settings"]
    if not settings.demo or not settings.demo_totp_secret:
        raise click.ClickException("demo mode is off: there is no shared demo TOTP secret")
    click.echo(pyotp.TOTP(settings.demo_totp_secret).now())
