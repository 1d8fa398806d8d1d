"""A real local SMTP server (aiosmtpd) and a fake HTTP SMS gateway, both on 127.0.0.1.

The ``smtp_server`` and ``sms_gateway`` fixtures (``tests/conftest.py``) run one each for a test.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from devservices.postgres import free_port

GATEWAY_TOKEN = "test-gateway-token"


@dataclass
class Mailbox:
    """What the SMTP server received: (recipients, parsed message)."""

    port: int
    received: list[tuple[list[str], Any]] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@contextmanager
def running_smtp_server() -> Iterator[Mailbox]:
    """An aiosmtpd server on 127.0.0.1, stopped when the block ends."""
    mailbox = Mailbox(free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@dataclass
class Gateway:
    """The fake SMS gateway: what it received, and how it should answer next."""

    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    fail_with: int | None = None


@contextmanager
def running_sms_gateway() -> Iterator[Gateway]:
    """A tiny http.server that accepts ``POST /sms`` with the bearer token, on 127.0.0.1."""
    state = Gateway("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            authorised = self.headers.get("Authorization") == f"Bearer {GATEWAY_TOKEN}"
            status = state.fail_with or (200 if authorised else 401)
            if status == 200:
                state.received.append(json.loads(body))
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
