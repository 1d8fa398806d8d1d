"""The teacher's PIN and the throttle on guesses (of the PIN and of the identity check alike).

A 4–6 digit PIN has at most a million values: a slow hash such as argon2 would not stop an
offline search over a copied database, it would only make every teacher's request slow. A keyed
HMAC does stop it — the key (the key ring's ``link`` secret) is kept outside the database — and
costs microseconds, so the form stays fast under a city's load. Online guessing is stopped by the
throttle: after ``MAX_FAILURES`` wrong tries the link is locked, for longer each time. A right
answer does not reset that schedule: it decays with time alone (``decayed_failures``). Otherwise
whoever knows one answer — a colleague who knows the phone ending, or the teacher between
someone else's guesses — would wipe the slate for five more guesses each time.

A teacher who forgot the PIN sets a new one with a six-digit code sent to the roster contact
("forgot my PIN"). The code is kept only as the same kind of keyed hash, lasts
``RESET_CODE_TTL``, is replaced by the next one, and a wrong code counts on the same throttle.
Each further code waits twice as long as the last, so the link cannot flood a teacher's phone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from census.models import Invitation
from privacy.keys import KeyRing
from survey.teacher.weak_pins import weakness

PIN_RE = re.compile(r"[0-9]{4,6}")
HASH_PREFIX = "hmac-sha256$"
MAX_FAILURES = 5
FIRST_LOCK = dt.timedelta(minutes=15)
LONGEST_LOCK = dt.timedelta(hours=24)
RESET_CODE_RE = re.compile(r"[0-9]{6}")
RESET_CODE_TTL = dt.timedelta(minutes=30)
RESET_CODE_MINUTES = int(RESET_CODE_TTL.total_seconds() // 60)
# The second code may be asked for this long after the first, each later one after twice the
# wait before it (5, 10, 20 … minutes, at most a day: nine codes in the first day, then one a
# day), until a code is used. Whoever holds the link asks, but the teacher's phone receives.
RESET_RESEND_AFTER = dt.timedelta(minutes=5)
# Each full quiet period (no wrong try, and no lock still running) halves the failure count.
QUIET_PERIOD = dt.timedelta(hours=24)


class PinRejected(ValueError):
    """The new PIN breaks a rule; ``reason`` is a short code the view turns into words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_new_pin(pin: str, repeat: str, phone_digits: str = "") -> None:
    """Raise PinRejected unless ``pin`` is 4–6 ASCII digits, not easy to guess (nor holding
    ``phone_digits``, the phone ending just confirmed), and repeated exactly."""
    if not PIN_RE.fullmatch(pin):
        raise PinRejected("format")
    reason = weakness(pin, phone_digits)
    if reason is not None:
        raise PinRejected(reason)
    if not hmac.compare_digest(pin, repeat):
        raise PinRejected("mismatch")


def hash_pin(ring: KeyRing, invitation: Invitation, pin: str) -> str:
    """HMAC-SHA256 of the PIN under the link key, bound to this invitation."""
    message = b"pin\x00" + invitation.id.bytes + pin.encode("ascii")
    return HASH_PREFIX + hmac.new(ring.secret("link"), message, hashlib.sha256).hexdigest()


def pin_matches(ring: KeyRing, invitation: Invitation, pin: str) -> bool:
    """Whether ``pin`` is the invitation's PIN (constant time; any malformed input is False)."""
    if invitation.pin_hash is None or not PIN_RE.fullmatch(pin):
        return False
    return hmac.compare_digest(invitation.pin_hash, hash_pin(ring, invitation, pin))


def is_locked(invitation: Invitation, now: dt.datetime) -> bool:
    """Whether guesses are refused right now."""
    return invitation.pin_locked_until is not None and now < invitation.pin_locked_until


def lock_duration(failures: int) -> dt.timedelta:
    """How long the link locks after ``failures`` wrong tries: 15 min, doubling, at most 24 h."""
    rounds = max(failures // MAX_FAILURES, 1)
    lock: dt.timedelta = FIRST_LOCK * (2 ** (rounds - 1))
    return min(lock, LONGEST_LOCK)


def decayed_failures(invitation: Invitation, now: dt.datetime) -> int:
    """The failure count as it stands at ``now``: halved for every full ``QUIET_PERIOD`` since
    the last wrong try or the end of the lock it caused, whichever is later.

    A lock's own time does not count as quiet, so waiting out a long lock buys no fresh tries;
    a teacher who mistyped a few times is back to a clean slate within days. In numbers: five
    tries, then locks of 15 min, 30 min, 1 h … 24 h between each further five: thirty-five
    guesses in the first day on one link, five a day after that, whatever answers succeed.
    """
    count = invitation.pin_failures or 0
    marks = [t for t in (invitation.pin_failed_at, invitation.pin_locked_until) if t is not None]
    if not count or not marks or now <= max(marks):
        return count
    halvings = int((now - max(marks)) / QUIET_PERIOD)
    return count >> min(halvings, 31)


def register_failure(invitation: Invitation, now: dt.datetime) -> bool:
    """Count a wrong try (on the decayed count); returns True when this try locked the link."""
    invitation.pin_failures = decayed_failures(invitation, now) + 1
    invitation.pin_failed_at = now
    if invitation.pin_failures % MAX_FAILURES == 0:
        invitation.pin_locked_until = now + lock_duration(invitation.pin_failures)
        return True
    return False


def new_reset_code() -> str:
    """Six random digits for "forgot my PIN"."""
    return f"{secrets.randbelow(10**6):06d}"


def reset_code_hash(ring: KeyRing, invitation: Invitation, code: str) -> str:
    """HMAC-SHA256 of a reset code under the link key, bound to this invitation (and never
    equal to a PIN's hash of the same digits)."""
    message = b"pin-reset\x00" + invitation.id.bytes + code.encode("ascii")
    return HASH_PREFIX + hmac.new(ring.secret("link"), message, hashlib.sha256).hexdigest()


def reset_code_live(invitation: Invitation, now: dt.datetime) -> bool:
    """Whether the invitation has an unused reset code that has not expired."""
    sent = invitation.pin_reset_sent_at
    live = sent is not None and now < sent + RESET_CODE_TTL
    return invitation.pin_reset_hash is not None and live


def reset_code_matches(ring: KeyRing, invitation: Invitation, code: str, now: dt.datetime) -> bool:
    """Whether ``code`` is the invitation's live reset code (constant time; malformed is False)."""
    if not reset_code_live(invitation, now) or not RESET_CODE_RE.fullmatch(code):
        return False
    expected = invitation.pin_reset_hash or ""
    return hmac.compare_digest(expected, reset_code_hash(ring, invitation, code))


def reset_code_wait(codes_sent: int) -> dt.timedelta:
    """How long after the last code the next may be sent, once ``codes_sent`` were sent."""
    doublings = min(max(codes_sent - 1, 0), 16)  # 5 min × 2¹⁶ is far past the cap already
    wait: dt.timedelta = min(RESET_RESEND_AFTER * 2**doublings, LONGEST_LOCK)
    return wait


def may_send_reset_code(invitation: Invitation, now: dt.datetime) -> bool:
    """Whether a new reset code may be sent now (none yet, or the last long enough ago)."""
    sent = invitation.pin_reset_sent_at
    count = invitation.pin_reset_count or 0
    return sent is None or count == 0 or now >= sent + reset_code_wait(count)


def record_reset_code(ring: KeyRing, invitation: Invitation, code: str, now: dt.datetime) -> None:
    """Keep the hash of the code just sent (replacing any earlier one) and count it."""
    invitation.pin_reset_hash = reset_code_hash(ring, invitation, code)
    invitation.pin_reset_sent_at = now
    invitation.pin_reset_count = (invitation.pin_reset_count or 0) + 1


def end_reset_code(invitation: Invitation) -> None:
    """The PIN worked after all: the pending code stops working (the count of codes stays, so
    unlocking between requests does not cut the wait)."""
    if invitation.pin_reset_hash is not None:
        invitation.pin_reset_hash = None


def forget_reset_codes(invitation: Invitation) -> None:
    """A code was used: none stays live, and the next one needs no wait."""
    invitation.pin_reset_hash = None
    invitation.pin_reset_count = 0
