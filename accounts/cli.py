"""``flask --app app accounts create-security-admin USERNAME``: the first two accounts of all.

A grant of the security administrator role needs a second security administrator's approval, so
the first two are made here, at the server's console; it refuses once two exist. It is the only
place a password is ever shown. Every later account, and every reset, goes through a one-time
link to its owner's contact (``accounts/resets.py``).
"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from accounts.models import GrantStatus, RoleGrant
from accounts.passwords import current_passwords
from accounts.roles import Role, ScopeKind
from accounts.service import AccountError, create_account, temporary_password
from db import utcnow
from db.current import current_database
from privacy.audit.record import record

accounts_cli = AppGroup("accounts", help="Staff accounts.")
# Two, so that each can approve the other's requests on the web.
BOOTSTRAP_ADMINS = 2


@accounts_cli.command("create-security-admin")
@click.argument("username")
@click.option("--name", "display_name", default="", help="The person's name.")
def create_security_admin(username: str, display_name: str) -> None:
    """Create one of the first two security administrators; later accounts are made on the web."""
    session = current_database().session()
    existing = session.scalars(
        select(RoleGrant.id).where(
            RoleGrant.role == Role.SECURITY_ADMIN, RoleGrant.status == GrantStatus.ACTIVE
        )
    ).all()
    if len(existing) >= BOOTSTRAP_ADMINS:
        raise click.ClickException("two security administrators exist: create accounts on the web")
    passwords = current_passwords()
    try:
        account = create_account(session, passwords, username, display_name or username)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    password = temporary_password()
    account.password_hash = passwords.hash(password)
    account.must_change_password = True
    # Nobody could approve it yet (later grants of the role need a second approval).
    session.add(
        RoleGrant(
            account=account,
            role=Role.SECURITY_ADMIN,
            scope_kind=ScopeKind.CITY,
            status=GrantStatus.ACTIVE,
            decided_at=utcnow(),
        )
    )
    record(session, "system", "account.bootstrap", object_type="account", object_id=account.id)
    session.commit()
    click.echo(f"created {account.username}; temporary password (shown once): {password}")
    click.echo("log in, set a new password and enrol an authenticator app.")
