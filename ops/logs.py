"""Structured logging that keeps sensitive data out of every line.

Lines are JSON objects (CR and LF inside values are escaped by the encoding). A filter masks what
looks like a phone number, an e-mail address or a link token in the message and in extra fields,
as a last line of defence: code must not log such values in the first place.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message"}

_PATTERNS = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d){8}(?!\d)"), "[phone]"),
    # Link tokens and other long opaque strings (at least 20 URL-safe characters).
    (re.compile(r"(?<![\w-])[A-Za-z0-9_-]{20,}={0,2}(?![\w-])"), "[token]"),
)
# Teachers' links are /s/<token>/..., staff set-up links /account/enrol/<token>; the token never
# reaches a log line.
_TOKEN_PATH = re.compile(r"(/s/|/account/enrol/)[^/?#]+")


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# Every pattern above needs an "@", three digits in a row or a run of 20: most values have none.
_MAYBE_SENSITIVE = re.compile(r"@|\d{3}|[A-Za-z0-9_-]{20}")


def redact(text: str) -> str:
    """Mask e-mail addresses, phone numbers and token-like strings in ``text``."""
    if _MAYBE_SENSITIVE.search(text) is None:
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(functools.partial(_keep_uuid, replacement=replacement), text)
    return text


def _keep_uuid(match: re.Match[str], replacement: str) -> str:
    # Row ids are UUIDs: pseudonymous, and needed to follow an event.
    return match.group(0) if _UUID.fullmatch(match.group(0)) else replacement


def redact_path(path: str) -> str:
    """A request path fit for the access log: no link token, no query string."""
    return redact(_TOKEN_PATH.sub(r"\1[token]", path.split("?", 1)[0]))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        # The same record reaches every handler (standard error, the file): format it once.
        line: str | None = getattr(record, "_xinan_line", None)
        if line is None:
            line = record._xinan_line = self._line(record)
        return line

    def _line(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = redact(str(value)) if not isinstance(value, (int, float)) else value
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: exception messages and frames can carry the values being processed.
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", log_file: Path | None = None) -> None:
    """Send every record through the JSON formatter, to standard error and optionally a file."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    root = logging.getLogger()
    # Replace only our own handlers, so that test harnesses keep theirs.
    for old in [h for h in root.handlers if getattr(h, "_xinan", False)]:
        root.removeHandler(old)
        old.close()
    for handler in handlers:
        handler.setFormatter(JsonFormatter())
        handler._xinan = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    # Werkzeug's request line would carry link tokens; our own access log replaces it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
