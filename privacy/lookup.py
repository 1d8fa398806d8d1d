"""Keyed HMAC indexes for lookups, and pseudonyms for everything analytic.

A plain hash of an 11-digit phone number is brute-forced in seconds; a keyed HMAC is not, as long
as the key stays outside the database. Index and pseudonym keys are separate.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata

from privacy.keys import KeyRing

INDEX_BYTES = 16


def normalise_identifier(value: str) -> str:
    """NFKC (full-width digits become ASCII), trimmed, inner spaces removed, upper-case."""
    text = unicodedata.normalize("NFKC", value)
    return "".join(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf"
    ).upper()


def lookup_index(ring: KeyRing, field: str, value: str) -> bytes:
    """HMAC-SHA256 of a normalised value under the index key, domain-separated by field."""
    message = f"{field}\x00{normalise_identifier(value)}".encode()
    return hmac.new(ring.secret("index"), message, hashlib.sha256).digest()[:INDEX_BYTES]


def pseudonym(ring: KeyRing, teacher_id: object) -> str:
    """A stable pseudonym for a teacher, from the separate pseudonym key."""
    digest = hmac.new(ring.secret("pseudonym"), str(teacher_id).encode(), hashlib.sha256).digest()
    return "P" + base64.b32encode(digest[:10]).decode("ascii")
