"""The teacher's personal link: a token derived from the invitation id; only its hash is kept.

The token is HMAC-SHA256 of the invitation id under the key ring's ``link`` secret, so the app can
re-derive a link for a reminder or a reprinted sheet, while a copy of the database (which holds
only SHA-256 of the token) yields no working link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid

from privacy.keys import KeyRing

# 32 bytes of HMAC in unpadded base64url is 43 characters; anything else is refused before hashing.
TOKEN_LENGTH = 43
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


def link_token(ring: KeyRing, invitation_id: uuid.UUID) -> str:
    """The invitation's URL token: base64url (no padding) HMAC-SHA256 of its id (256 bits)."""
    mac = hmac.new(ring.secret("link"), invitation_id.bytes, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def token_hash(token: str) -> bytes:
    """The SHA-256 of a token, as stored in ``invitations.token_hash``."""
    return hashlib.sha256(token.encode("ascii")).digest()


def is_well_formed(token: str) -> bool:
    """Whether a string could be a token at all (length and alphabet), checked in constant work."""
    return len(token) == TOKEN_LENGTH and _TOKEN_RE.fullmatch(token) is not None
