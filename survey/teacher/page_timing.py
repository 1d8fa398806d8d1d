"""How long each questionnaire page was open: the rushing index of the response-quality check.

A page carries, in a hidden field, the time it was shown, signed with the app's secret (no
database write when a page is only looked at). Its save adds (saved − shown) to that
instrument's seconds in the response's sealed ``timings`` (``{instrument: seconds}``). A field
that is missing, tampered with, from another page, or gives a time below zero or over
``LONGEST_PAGE`` makes that page's time unknown (``null``), and it stays unknown: a quick
re-save after an unknown first visit must not look like rushing. Never an error for the teacher.
"""

from __future__ import annotations

import datetime as dt
import json

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

FIELD = "shown"
# Longer than anyone reads one page: the phone was put down, so the time says nothing.
LONGEST_PAGE = dt.timedelta(hours=2)
_SALT = "xinan.page-shown"


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)  # type: ignore[arg-type]


def shown_field(instrument_id: str, now: dt.datetime) -> str:
    """The signed value of the hidden field: this instrument's page shown at ``now``."""
    return str(_signer().dumps([instrument_id, round(now.timestamp(), 3)]))


def seconds_on_page(raw: str | None, instrument_id: str, now: dt.datetime) -> float | None:
    """Seconds from the page being shown to ``now``, or None when unknown (see the module)."""
    if not raw:
        return None
    try:
        shown_for, shown_at = _signer().loads(raw)
        seconds = now.timestamp() - float(shown_at)
    except (BadData, TypeError, ValueError):
        return None
    if shown_for != instrument_id or not 0 <= seconds <= LONGEST_PAGE.total_seconds():
        return None
    return round(seconds, 1)


def add_seconds(timings: str | None, instrument_id: str, seconds: float | None) -> str:
    """The sealed timings' JSON text with ``seconds`` added to ``instrument_id``'s (None, or an
    earlier unknown, leaves it unknown)."""
    known: dict[str, float | None] = json.loads(timings) if timings else {}
    earlier = known.get(instrument_id, 0.0)
    total = None if seconds is None or earlier is None else round(earlier + seconds, 1)
    known[instrument_id] = total
    return json.dumps(known, sort_keys=True)
