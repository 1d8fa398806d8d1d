"""``flask --app app accounts create-security-admin USERNAME``: the first account of all."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from accounts.models import GrantStatus, RoleGrant
from accounts.roles import Role, ScopeKind
from accounts.service import AccountError, create_account, request_grant
from db import utcnow
from privacy.audit.record import record

accounts_cli = AppGroup("accounts", help="Staff accounts.")


@accounts_cli.command("create-security-admin")
@click.argument("username")
@click.option("--name", "display_name", default="", help="The person's name.")
def create_security_admin(username: str, display_name: str) -> None:
    """Create the first security administrator; later accounts are made in the web app."""
    database = current_app.extensions["xinan.db"]
    session = database.session()
    exists = session.scalars(
        select(RoleGrant.id).where(
            RoleGrant.role == Role.SECURITY_ADMIN, RoleGrant.status == GrantStatus.ACTIVE
        )
    ).first()
    if exists is not None:
        raise click.ClickException("a security administrator exists: create accounts on the web")
    try:
        account, password = create_account(
            session, current_app.extensions["xinan.passwords"], username, display_name or username
        )
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    request_grant(session, account, Role.SECURITY_ADMIN, (ScopeKind.CITY, None), None, utcnow())
    record(session, "system", "account.bootstrap", object_type="account", object_id=account.id)
    session.commit()
    click.echo(f"created {account.username}; temporary password (shown once): {password}")
    click.echo("log in, set a new password and enrol an authenticator app.")
