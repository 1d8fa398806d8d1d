"""The credential-reset tests' view of the app: the outbox and the audit log read back, time moved
on, and a set-up link followed as its owner would follow it."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.test import TestResponse

from accounts.models import CredentialReset
from accounts.reset_notices import CONTACT_KEY_PREFIX, KEY_PREFIX
from notifications.models import Notification
from privacy.audit.models import AuditEntry
from tests.support.apps import app_session
from tests.support.forms import csrf_token, post_form
from tests.support.staff import totp_now

NEW_PASSWORD = "Lantern-Orchard-Quietly-42"
LINK = re.compile(r"/account/enrol/([A-Za-z0-9_-]+)")
SECRET = re.compile(r"<code>([A-Z2-7]{16,})</code>")


def post(client: FlaskClient, url: str, **data: str) -> TestResponse:
    """A form post by a logged-in member of staff (the CSRF token read from their home page)."""
    return post_form(client, url, data, token_url="/")


@dataclass(frozen=True)
class Sent:
    """One outbox message, opened."""

    key: str
    channel: str
    recipient: str
    body: str


def messages_to(app: Flask, account_id: uuid.UUID) -> list[Sent]:
    """Every reset or contact message about the account, oldest first."""
    with app_session(app) as session:
        resets = {
            str(r) for r in session.scalars(
                select(CredentialReset.id).where(CredentialReset.account_id == account_id)
            )
        }  # fmt: skip
        rows = session.scalars(
            select(Notification).order_by(Notification.created_at, Notification.key)
        ).all()
        return [
            Sent(n.key, n.channel.value, n.recipient or "", n.body or "")
            for n in rows
            if (n.key.startswith(f"{KEY_PREFIX}:") and n.key.split(":")[1] in resets)
            or n.key.startswith(f"{CONTACT_KEY_PREFIX}:{account_id}:")
        ]


def link_in(message: Sent) -> str:
    """The set-up token in a link message."""
    found = LINK.search(message.body)
    assert found, "the message holds no set-up link"
    return found.group(1)


def audit_of(app: Flask, action: str, account_id: uuid.UUID) -> list[AuditEntry]:
    """The audit entries of ``action`` about the account."""
    with app_session(app) as session:
        entries = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == action, AuditEntry.object_id == str(account_id)
            )
        ).all()
        session.expunge_all()
        return list(entries)


def time_passes(app: Flask, account_id: uuid.UUID, by: dt.timedelta) -> None:
    """Move the account's reset links ``by`` into the past, as if that much time had gone by."""
    with app_session(app) as session:
        for reset in session.scalars(
            select(CredentialReset).where(CredentialReset.account_id == account_id)
        ):
            session.execute(
                update(CredentialReset)
                .where(CredentialReset.id == reset.id)
                .values(
                    requested_at=reset.requested_at - by,
                    link_sent_at=reset.link_sent_at - by if reset.link_sent_at else None,
                    expires_at=reset.expires_at - by if reset.expires_at else None,
                )
            )
        session.commit()


def enrol(app: Flask, token: str, password: str = NEW_PASSWORD) -> tuple[int, str]:
    """Follow the link in a fresh browser, scan the secret, set ``password``: (status, secret)."""
    client = app.test_client()
    url = f"/account/enrol/{token}"
    page = client.get(url)
    if page.status_code != 200:
        return page.status_code, ""
    found = SECRET.search(page.get_data(as_text=True))
    assert found, "the set-up page shows no authenticator secret"
    secret = found.group(1)
    response = client.post(
        url,
        data={
            "new_password": password,
            "confirm": password,
            "code": totp_now(secret),
            "csrf_token": csrf_token(client, url),
        },
    )
    return response.status_code, secret
