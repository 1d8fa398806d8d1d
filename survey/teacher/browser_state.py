"""What this browser has proven for one link: identity confirmed, PIN entered — and until when.

Kept in Flask's signed session cookie (it already carries the CSRF token), keyed by a short
digest of the link, never the token or the invitation id. An unlock lasts ``UNLOCK_IDLE`` since
the last page, so a phone left on a staff-room table does not stay open, and only while the PIN
it was made with is the link's PIN: setting a new one ends it in every other browser.
"""

from __future__ import annotations

import datetime as dt

from flask import session

from survey.teacher.link import InvitationFacts

STATE_KEY = "survey"
CONFIRM_TTL = dt.timedelta(minutes=30)
UNLOCK_IDLE = dt.timedelta(minutes=30)
# Refreshing the idle timer rewrites (and re-signs) the cookie; within this long of the last
# refresh it is left as it is, so an unlock may end up to this much sooner, never later.
REFRESH_AFTER = dt.timedelta(minutes=1)
MAX_LINKS = 4  # a shared family phone may hold a few links; older ones are forgotten


def _key(invitation: InvitationFacts) -> str:
    return invitation.token_hash.hex()[:16]


def _entries() -> dict[str, dict[str, int]]:
    raw = session.get(STATE_KEY)
    return raw if isinstance(raw, dict) else {}


def _get(invitation: InvitationFacts, field: str) -> int | None:
    entry = _entries().get(_key(invitation))
    value = entry.get(field) if isinstance(entry, dict) else None
    return value if isinstance(value, int) else None


def _pin_tag(invitation: InvitationFacts) -> int:
    # When the PIN was set, in microseconds: it tells PINs apart and says nothing about them.
    at = invitation.pin_set_at
    return int(at.timestamp()) * 1_000_000 + at.microsecond if at is not None else 0


def _put(invitation: InvitationFacts, field: str, now: dt.datetime, **more: int) -> None:
    entries = dict(_entries())
    key = _key(invitation)
    entry = dict(entries.pop(key, {}))
    entry[field] = int(now.timestamp())
    entry.update(more)
    entries[key] = entry
    while len(entries) > MAX_LINKS:
        entries.pop(next(iter(entries)))
    session[STATE_KEY] = entries


def mark_confirmed(invitation: InvitationFacts, now: dt.datetime) -> None:
    """The teacher answered the identity question in this browser."""
    _put(invitation, "c", now)


def is_confirmed(invitation: InvitationFacts, now: dt.datetime) -> bool:
    """Whether the identity answer is recent enough to pass the gate (to set or enter a PIN,
    or read the outcome)."""
    at = _get(invitation, "c")
    return at is not None and now.timestamp() - at <= CONFIRM_TTL.total_seconds()


def mark_unlocked(invitation: InvitationFacts, now: dt.datetime) -> None:
    """The teacher set or entered the PIN in this browser (also refreshes the idle timer)."""
    _put(invitation, "u", now, p=_pin_tag(invitation))


def refresh_unlocked(invitation: InvitationFacts, now: dt.datetime) -> None:
    """Restart the idle timer of an unlocked link, unless it was restarted a moment ago."""
    at = _get(invitation, "u")
    if at is None or not 0 <= now.timestamp() - at < REFRESH_AFTER.total_seconds():
        _put(invitation, "u", now)


def is_unlocked(invitation: InvitationFacts, now: dt.datetime) -> bool:
    """Whether personal pages may be shown to this browser now (with the PIN it was given)."""
    at = _get(invitation, "u")
    recent = at is not None and now.timestamp() - at <= UNLOCK_IDLE.total_seconds()
    return recent and _get(invitation, "p") == _pin_tag(invitation)


def forget(invitation: InvitationFacts) -> None:
    """Drop this link's unlock (after withdrawal or declining). The browser stays past the
    phone ending as of its last page, so it can read the outcome, until that expires too."""
    entries = dict(_entries())
    entry = entries.pop(_key(invitation), None)
    if entry is None:
        return
    times = [entry.get(f) for f in ("c", "u") if isinstance(entry, dict)]
    latest = max((t for t in times if isinstance(t, int)), default=None)
    if latest is not None:
        entries[_key(invitation)] = {"c": latest}
    session[STATE_KEY] = entries
