"""The two ways a message leaves: e-mail over SMTP and SMS through an HTTP gateway.

A channel either returns (the message was accepted) or raises ``ChannelError`` whose ``kind`` is a
short class name for the outbox's ``last_error`` — never the recipient, the text or the server's
reply, which can echo either.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from config.settings import Settings
from notifications.models import Channel

TIMEOUT_SECONDS = 10


class ChannelError(RuntimeError):
    """A message was not accepted; ``kind`` says why in a few words, without content."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind[:100]


@dataclass(frozen=True)
class Outgoing:
    """An opened notification, ready for a channel."""

    recipient: str
    subject: str | None
    body: str


class Sender(Protocol):
    """Sends one message or raises ChannelError."""

    def send(self, message: Outgoing) -> None: ...


@dataclass(frozen=True)
class SmtpSender:
    """E-mail through an SMTP server (optionally STARTTLS and login)."""

    host: str
    port: int
    sender: str
    starttls: bool = False
    username: str = ""
    password: str = ""

    def send(self, message: Outgoing) -> None:
        """Hand the e-mail to the server."""
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject or "心安 Xinan"
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused:
            raise ChannelError("smtp.recipient_refused") from None
        except (smtplib.SMTPException, OSError) as error:
            raise ChannelError(f"smtp.{type(error).__name__}") from None


@dataclass(frozen=True)
class HttpSmsSender:
    """SMS through a gateway: ``POST url`` with JSON ``{"to", "text"}`` and a bearer token."""

    url: str
    token: str

    def send(self, message: Outgoing) -> None:
        """Post the SMS; any 2xx answer means the gateway accepted it."""
        if not self.url.startswith(("http://", "https://")):
            raise ChannelError("sms.bad_gateway_url")
        payload = json.dumps({"to": message.recipient, "text": message.body}).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as reply:  # noqa: S310
                reply.read()
        except urllib.error.HTTPError as error:
            error.close()
            raise ChannelError(f"sms.http_{error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            raise ChannelError(f"sms.{type(error).__name__}") from None


def configured_senders(settings: Settings) -> dict[Channel, Sender]:
    """The channels this instance can use; an unconfigured one keeps its messages waiting."""
    senders: dict[Channel, Sender] = {}
    if settings.smtp_host:
        senders[Channel.EMAIL] = SmtpSender(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            settings.smtp_starttls,
            settings.smtp_username,
            settings.smtp_password,
        )
    if settings.sms_gateway_url:
        senders[Channel.SMS] = HttpSmsSender(settings.sms_gateway_url, settings.sms_gateway_token)
    return senders
