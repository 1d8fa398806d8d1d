"""Log lines are single JSON objects without phone numbers, e-mail addresses or link tokens."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from config.settings import Settings
from ops.logs import JsonFormatter, redact, redact_path

TOKEN = "q8Zr2VbN0kLm5XwTe7YpA3sD"


def _format(message: str, **extra: object) -> str:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, message, None, None)
    record.__dict__.update(extra)
    return JsonFormatter().format(record)


def test_cr_lf_never_reach_a_line_raw() -> None:
    line = _format("forged\r\nINFO admin logged in", detail="a\nb")
    assert "\n" not in line and "\r" not in line
    assert json.loads(line)["message"] == "forged\r\nINFO admin logged in"


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("call 13912345678", "13912345678"),
        ("call +86 139-1234-5678", "139-1234-5678"),
        ("mail li.hua@school.edu.cn", "li.hua@school.edu.cn"),
        (f"link {TOKEN}", TOKEN),
    ],
)
def test_sensitive_looking_values_are_masked(text: str, hidden: str) -> None:
    assert hidden not in redact(text)
    assert hidden not in _format(text, field=text)


def test_row_ids_and_timestamps_survive() -> None:
    row = "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
    assert redact(f"row {row} at 2026-11-28T08:00:00+00:00") == (
        f"row {row} at 2026-11-28T08:00:00+00:00"
    )


def test_exception_is_logged_by_type_only() -> None:
    try:
        raise ValueError("name=陈静怡")
    except ValueError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "boom", None, None)
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert json.loads(line)["exception"] == "ValueError"
    assert "陈静怡" not in line


def test_access_log_redacts_the_link_token(client: FlaskClient, settings: Settings) -> None:
    client.get(f"/s/{TOKEN}/start?pin=1234")
    assert redact_path(f"/s/{TOKEN}/start?pin=1234") == "/s/[token]/start"
    log_text = Path(settings.log_file or "").read_text(encoding="utf-8")
    assert '"path": "/s/[token]/start"' in log_text
    assert TOKEN not in log_text and "pin=1234" not in log_text
