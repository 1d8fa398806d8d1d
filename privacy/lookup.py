"""Keyed HMAC indexes for lookups, and pseudonyms for everything analytic.

A plain hash of an 11-digit phone number is brute-forced in seconds; a keyed HMAC is not, as long
as the key stays outside the database. Index and pseudonym keys are separate.
"""

from __future__ import annotations

import base64
import hmac
import unicodedata
from collections.abc import Sequence

from privacy.keys import KeyRing

INDEX_BYTES = 16


def normalise_identifier(value: str) -> str:
    """NFKC (full-width digits become ASCII), trimmed, inner spaces removed, upper-case."""
    if value.isascii() and value.isalnum():
        return value.upper()  # the common case, unchanged by every step below; bulk imports
    text = unicodedata.normalize("NFKC", value)
    return "".join(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf"
    ).upper()


def lookup_index(ring: KeyRing, field: str, value: str) -> bytes:
    """HMAC-SHA256 of a normalised value under the index key, domain-separated by field."""
    message = f"{field}\x00{normalise_identifier(value)}".encode()
    return hmac.digest(ring.secret("index"), message, "sha256")[:INDEX_BYTES]


def pseudonym(ring: KeyRing, teacher_id: object) -> str:
    """A stable pseudonym for a teacher, from the separate pseudonym key."""
    digest = hmac.digest(ring.secret("pseudonym"), str(teacher_id).encode(), "sha256")
    return "P" + base64.b32encode(digest[:10]).decode("ascii")


def record_digest(ring: KeyRing, kind: str, values: Sequence[object]) -> bytes:
    """A keyed SHA-256 digest of a record's normalised values (to skip unchanged re-imports).

    Keyed, because the digest of a roster row is as guessable as the row itself. Each value is
    length-prefixed and None is distinct from "", so no two different records serialise alike.
    """
    parts = ["~" if v is None else f"{len(str(v))}:{v}" for v in values]
    message = f"digest:{kind}\x00{len(parts)}\x00{''.join(parts)}".encode()
    return hmac.digest(ring.secret("index"), message, "sha256")
