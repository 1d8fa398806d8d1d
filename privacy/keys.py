"""The key ring: data-encryption keys by id, and separate keys for indexes, pseudonyms and links.

Keys live in a JSON file outside the database (mode 0600). The embedded default generates one on
first run; production mounts its own. Each purpose has its own key so that, for example, the
pseudonym key can be withheld from a process that only needs lookups.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PURPOSES = ("index", "pseudonym", "link", "audit", "web")
KEY_BYTES = 32
FORMAT_VERSION = 1


class KeyRingError(RuntimeError):
    """The key file is missing, unreadable or malformed; the message says which."""


@dataclass(frozen=True)
class KeyRing:
    """Data keys by numeric id (one active), and one secret per lookup purpose."""

    data_keys: dict[int, bytes]
    active_id: int
    secrets: dict[str, bytes] = field(repr=False)

    def __post_init__(self) -> None:
        if self.active_id not in self.data_keys:
            raise KeyRingError(f"active key id {self.active_id} is not in the key ring")
        for key in [*self.data_keys.values(), *self.secrets.values()]:
            if len(key) != KEY_BYTES:
                raise KeyRingError("every key must be 32 bytes")
        missing = [p for p in PURPOSES if p not in self.secrets]
        if missing:
            raise KeyRingError(f"key ring lacks the {', '.join(missing)} key(s)")

    def data_key(self, key_id: int) -> bytes:
        """The data key with this id; an unknown id is a KeyRingError."""
        try:
            return self.data_keys[key_id]
        except KeyError:
            raise KeyRingError(f"no data key with id {key_id} in the key ring") from None

    def secret(self, purpose: str) -> bytes:
        """The secret for one purpose (index, pseudonym, link, audit)."""
        return self.secrets[purpose]

    def with_new_data_key(self) -> KeyRing:
        """A copy with a fresh data key made active; old keys stay for decryption."""
        new_id = max(self.data_keys) + 1
        keys = {**self.data_keys, new_id: secrets.token_bytes(KEY_BYTES)}
        return KeyRing(data_keys=keys, active_id=new_id, secrets=self.secrets)

    @classmethod
    def generate(cls) -> KeyRing:
        """A new ring with one data key and fresh purpose secrets."""
        return cls(
            data_keys={1: secrets.token_bytes(KEY_BYTES)},
            active_id=1,
            secrets={p: secrets.token_bytes(KEY_BYTES) for p in PURPOSES},
        )


def load_key_ring(path: Path) -> KeyRing:
    """Read a key ring file, refusing one that others can read."""
    try:
        mode = path.stat().st_mode & 0o777
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyRingError(
            f"key file {path} does not exist: restore it from the key backup with "
            "`flask --app ops.recovery keys restore BACKUP` (keys are never in the database)"
        ) from None
    except (OSError, ValueError) as exc:
        raise KeyRingError(f"key file {path} cannot be read: {exc.__class__.__name__}") from None
    if mode & 0o077:
        raise KeyRingError(f"key file {path} is readable by others (mode {mode:o}); chmod 600 it")
    return ring_from_payload(raw, f"key file {path}")


def ring_to_payload(ring: KeyRing) -> dict[str, object]:
    """The ring as the JSON object of a key file (also the plaintext of a key backup)."""
    return {
        "format": FORMAT_VERSION,
        "active_id": ring.active_id,
        "data_keys": {str(k): _encode(v) for k, v in sorted(ring.data_keys.items())},
        "secrets": {p: _encode(ring.secrets[p]) for p in PURPOSES},
    }


def ring_from_payload(raw: Any, source: str) -> KeyRing:
    """A ring from a key file's JSON object; ``source`` names it in the error."""
    try:
        return KeyRing(
            data_keys={int(k): _decode(v) for k, v in raw["data_keys"].items()},
            active_id=int(raw["active_id"]),
            secrets={p: _decode(raw["secrets"][p]) for p in PURPOSES},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise KeyRingError(f"{source} is malformed ({exc.__class__.__name__})") from None


def save_key_ring(ring: KeyRing, path: Path) -> None:
    """Write the ring atomically with mode 0600, so a crash leaves the old file or the new one."""
    payload = ring_to_payload(ring)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_or_generate(path: Path, *, may_generate: bool) -> KeyRing:
    """Load the ring at ``path``; when it is absent and allowed, generate and save one."""
    if path.exists() or not may_generate:
        return load_key_ring(path)
    ring = KeyRing.generate()
    save_key_ring(ring, path)
    # Losing this file loses every sealed value, so say what to do on the very first run.
    log.warning(
        "generated a new key ring; back it up now, away from the database: "
        "flask --app app keys backup --out FILE",
        extra={"path": str(path), "mode": "0600"},
    )
    return ring


def _encode(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def _decode(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
