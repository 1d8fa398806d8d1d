"""How a notice about an account reaches its owner: at their own contact, through the outbox.

The services name only the port: a ``Courier`` that puts a ``Notice`` into the outbox in the
caller's transaction. ``accounts/mail.py`` implements it over ``notifications.outbox``, with the
app's SMS quiet hours, and installs it with ``install_courier``.

The owner's contact is the linked roster record's (every psychologist and supervisor must be
linked, and the roster is kept by system administrators, not by the security administrators who
ask for resets), else the e-mail address kept on the account itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy.orm import Session

from accounts.models import StaffAccount

SMS, EMAIL = "sms", "email"
ROSTER, ACCOUNT = "roster", "account"
_KEY = "xinan.courier"  # the app's courier in app.extensions, read only through this module


@dataclass(frozen=True)
class Contact:
    """Where a notice goes: ``channel`` is ``sms`` or ``email``; ``source`` says whose record."""

    channel: str
    address: str
    source: str


@dataclass(frozen=True)
class Notice:
    """One message to an account's owner; ``key`` makes it happen once."""

    key: str
    contact: Contact
    subject: str
    body: str


class Courier(Protocol):
    """Queues a notice in the outbox, in the caller's transaction; True when it was added."""

    def send(self, session: Session, notice: Notice, now: dt.datetime) -> bool: ...


def install_courier(app: Flask, courier: Courier) -> None:
    """Make ``courier`` the way ``app`` sends notices to account owners."""
    app.extensions[_KEY] = courier


def current_courier() -> Courier:
    """The courier of the app handling this request."""
    courier: Courier = current_app.extensions[_KEY]
    return courier


def owner_contact(account: StaffAccount, channels: Sequence[str]) -> Contact | None:
    """The roster's contact on the first of ``channels`` it has, else the account's e-mail."""
    teacher = account.teacher
    if teacher is not None and teacher.is_active:
        for channel in channels:
            value = teacher.phone if channel == SMS else teacher.email
            if value:
                return Contact(channel, value, ROSTER)
    own = account.email
    return Contact(EMAIL, own, ACCOUNT) if own else None


def describe(channel: str, source: str, address: str | None) -> str:
    """The contact as an administrator may see it: the channel and whose record, an e-mail
    address masked to its first letter and domain, and no digit of a phone number (its last
    four digits open the owner's own census link)."""
    where = "花名册 roster" if source == ROSTER else "账号 account"
    if channel == SMS or not address or "@" not in address:
        return f"短信 SMS · {where}"
    local, _, domain = address.rpartition("@")
    return f"邮件 e-mail {local[:1]}***@{domain} · {where}"
