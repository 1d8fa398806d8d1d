"""Passphrase-encrypted backups of the key ring, and putting a restored ring in place.

A backup is one JSON document that says what it is: a header (format, version, creation time,
the KDF and its parameters with a random salt, the cipher and its nonce) and the key file's JSON
sealed with AES-256-GCM under a key derived from the passphrase by scrypt. The whole header is
the associated data, so lowering the KDF cost or swapping the salt in a stolen copy makes it fail
to open rather than weaken it. A wrong passphrase and a damaged file look the same to GCM; both
are a ``KeyBackupError`` with one sentence, never the passphrase or a key.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from privacy.keys import (
    KeyRing,
    KeyRingError,
    load_key_ring,
    ring_from_payload,
    ring_to_payload,
    save_key_ring,
)

FORMAT = "xinan-key-backup"
VERSION = 1
MIN_PASSPHRASE = 16
# OWASP's recommended scrypt cost (N=2^17, r=8, p=1: 128 MiB, about a second here).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
# A file may ask for a higher cost, but not one that would exhaust memory when read.
MAX_SCRYPT_N, MAX_SCRYPT_R, MAX_SCRYPT_P = 2**20, 16, 4
SALT_BYTES, NONCE_BYTES = 16, 12
NOTE = "Xinan key ring backup. Restore: flask --app ops.recovery keys restore THIS_FILE"


class KeyBackupError(ValueError):
    """A backup cannot be written, read or restored; the message is one sentence to show."""


def check_passphrase(passphrase: str) -> str:
    """The passphrase in NFC (the same words typed on any system), if long enough."""
    normal = unicodedata.normalize("NFC", passphrase)
    if len(normal) < MIN_PASSPHRASE:
        raise KeyBackupError(f"the passphrase must have at least {MIN_PASSPHRASE} characters")
    return normal


def encrypt_ring(ring: KeyRing, passphrase: str, now: dt.datetime) -> bytes:
    """The backup document of ``ring`` under ``passphrase``."""
    header: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "note": NOTE,
        "created_at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "kdf": {
            "name": "scrypt",
            "n": SCRYPT_N,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "salt": _b64(secrets.token_bytes(SALT_BYTES)),
        },
        "cipher": {"name": "AES-256-GCM", "nonce": _b64(secrets.token_bytes(NONCE_BYTES))},
    }
    key = _derive(check_passphrase(passphrase), header["kdf"])
    plaintext = json.dumps(ring_to_payload(ring), sort_keys=True).encode()
    nonce = _unb64(header["cipher"]["nonce"])
    sealed = AESGCM(key).encrypt(nonce, plaintext, _associated(header))
    document = {**header, "ciphertext": _b64(sealed)}
    return (json.dumps(document, indent=2) + "\n").encode()


def decrypt_ring(document: bytes, passphrase: str) -> KeyRing:
    """The ring in a backup document; a wrong passphrase or damage is a KeyBackupError."""
    header, sealed = _parse(document)
    key = _derive(unicodedata.normalize("NFC", passphrase), header["kdf"])
    try:
        plaintext = AESGCM(key).decrypt(
            _unb64(header["cipher"]["nonce"]), sealed, _associated(header)
        )
    except InvalidTag:
        raise KeyBackupError("wrong passphrase, or the backup file is damaged") from None
    try:
        return ring_from_payload(json.loads(plaintext), "the backed-up key ring")
    except (KeyRingError, ValueError) as exc:
        raise KeyBackupError(str(exc)) from None


def write_backup(ring: KeyRing, passphrase: str, out: Path, now: dt.datetime) -> None:
    """Write a new backup file with mode 0600; an existing file is never overwritten."""
    document = encrypt_ring(ring, passphrase, now)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyBackupError(f"{out} exists already: choose a new file name") from None
    except OSError as exc:
        raise KeyBackupError(f"cannot write {out}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(document)
        fh.flush()
        os.fsync(fh.fileno())


def read_backup(path: Path, passphrase: str) -> KeyRing:
    """The ring in the backup file at ``path``."""
    try:
        document = path.read_bytes()
    except OSError as exc:
        raise KeyBackupError(f"cannot read {path}: {exc.strerror or exc}") from None
    return decrypt_ring(document, passphrase)


def put_in_place(ring: KeyRing, key_file: Path, *, force: bool, now: dt.datetime) -> Path | None:
    """Make ``ring`` the instance's key file; returns where a replaced file was kept, if any.

    A different key file is replaced only with ``force``, and even then it is first copied
    aside (mode 0600): it may be the only key to data elsewhere, so a restore never destroys it.
    """
    if not key_file.exists():
        save_key_ring(ring, key_file)
        return None
    try:
        if load_key_ring(key_file) == ring:
            return None
    except KeyRingError:
        pass  # unreadable or malformed: treated as different, kept aside below
    if not force:
        raise KeyBackupError(
            f"{key_file} exists and holds different keys: pass --force to replace it "
            "(it is kept beside it, never deleted)"
        )
    aside = key_file.with_name(f"{key_file.name}.replaced-{now.strftime('%Y%m%dT%H%M%SZ')}")
    _copy_private(key_file, aside)
    save_key_ring(ring, key_file)
    return aside


def fingerprint(ring: KeyRing) -> str:
    """A short digest that changes whenever any key changes (to tell a stale backup)."""
    canonical = json.dumps(ring_to_payload(ring), sort_keys=True).encode()
    return hashlib.sha256(b"xinan-key-ring-fingerprint\0" + canonical).hexdigest()[:16]


@dataclass(frozen=True)
class BackupMarker:
    """When the ring was last backed up, and the fingerprint of the ring backed up then."""

    at: dt.datetime
    fingerprint: str


def marker_path(key_file: Path) -> Path:
    """The small file beside the key file that remembers the last backup (no secret in it)."""
    return key_file.with_name(key_file.name + ".last-backup")


def note_backup(ring: KeyRing, key_file: Path, now: dt.datetime) -> None:
    """Remember that ``ring`` was backed up at ``now`` (for ``keys status``)."""
    text = json.dumps({"at": now.astimezone(dt.UTC).isoformat(), "fingerprint": fingerprint(ring)})
    marker = marker_path(key_file)
    tmp = marker.with_name(marker.name + ".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, marker)


def last_backup(key_file: Path) -> BackupMarker | None:
    """The last backup noted beside ``key_file``, or None (never, or the note is unreadable)."""
    try:
        raw = json.loads(marker_path(key_file).read_text(encoding="utf-8"))
        return BackupMarker(dt.datetime.fromisoformat(raw["at"]), str(raw["fingerprint"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _copy_private(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(source.read_bytes())
        fh.flush()
        os.fsync(fh.fileno())


def _parse(document: bytes) -> tuple[dict[str, Any], bytes]:
    try:
        raw = json.loads(document)
    except (ValueError, UnicodeDecodeError):
        raise KeyBackupError("not a Xinan key backup (not JSON)") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise KeyBackupError("not a Xinan key backup")
    if raw.get("version") != VERSION:
        raise KeyBackupError(f"unsupported key backup version {raw.get('version')!r}")
    header = {k: v for k, v in raw.items() if k != "ciphertext"}
    try:
        _check_kdf(header["kdf"])
        if header["cipher"]["name"] != "AES-256-GCM":
            raise KeyBackupError("the backup names an unknown cipher")
        _unb64(header["cipher"]["nonce"])
        return header, _unb64(raw["ciphertext"])
    except (KeyError, TypeError):
        raise KeyBackupError("the backup file is damaged (a field is missing)") from None


def _check_kdf(kdf: dict[str, Any]) -> None:
    n, r, p = kdf["n"], kdf["r"], kdf["p"]
    if kdf["name"] != "scrypt" or not all(type(v) is int for v in (n, r, p)):
        raise KeyBackupError("the backup names an unknown key derivation")
    if not (2 <= n <= MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= r <= MAX_SCRYPT_R):
        raise KeyBackupError("the backup's key derivation parameters are out of range")
    if not 1 <= p <= MAX_SCRYPT_P:
        raise KeyBackupError("the backup's key derivation parameters are out of range")
    _unb64(kdf["salt"])


def _derive(passphrase: str, kdf: dict[str, Any]) -> bytes:
    scrypt = Scrypt(salt=_unb64(kdf["salt"]), length=32, n=kdf["n"], r=kdf["r"], p=kdf["p"])
    return scrypt.derive(passphrase.encode("utf-8"))


def _associated(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise KeyBackupError("the backup file is damaged (a field is not base64 text)")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise KeyBackupError("the backup file is damaged (bad base64)") from None
