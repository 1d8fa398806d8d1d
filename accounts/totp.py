"""TOTP second factor (RFC 6238 via pyotp): enrolment URIs and verification with reuse refused."""

from __future__ import annotations

import datetime as dt
import hmac

import pyotp

ISSUER = "Xinan 心安"
STEP_SECONDS = 30
# One step either side tolerates a phone clock off by up to 30 seconds.
DRIFT_STEPS = 1


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def matching_counter(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step whose code equals ``code`` within the drift window, or None."""
    code = code.strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    found = None
    for counter in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Compare every candidate in constant time, without stopping early.
        if hmac.compare_digest(totp.generate_otp(counter), code):
            found = counter
    return found


def accept_code(secret: str, code: str, last_counter: int | None, now: dt.datetime) -> int | None:
    """The counter to store if ``code`` is valid and newer than the last one used, else None."""
    counter = matching_counter(secret, code, now)
    if counter is None or (last_counter is not None and counter <= last_counter):
        return None
    return counter
