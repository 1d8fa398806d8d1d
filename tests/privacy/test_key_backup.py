"""The key backup format round-trips; a wrong passphrase, damage or tampering never opens it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from privacy.key_backup import (
    KeyBackupError,
    decrypt_ring,
    encrypt_ring,
    fingerprint,
    last_backup,
    note_backup,
    put_in_place,
    read_backup,
    write_backup,
)
from privacy.keys import KeyRing, load_key_ring, save_key_ring

PASSPHRASE = "correct horse battery staple"
NOW = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def ring() -> KeyRing:
    return KeyRing.generate().with_new_data_key()


@pytest.fixture(scope="module")
def document(ring: KeyRing) -> bytes:
    # One backup for the module: each costs a deliberately slow key derivation.
    return encrypt_ring(ring, PASSPHRASE, NOW)


def test_a_backup_round_trips_every_key_and_names_itself(ring: KeyRing, document: bytes) -> None:
    assert decrypt_ring(document, PASSPHRASE) == ring
    header = json.loads(document)
    assert header["format"] == "xinan-key-backup" and header["version"] == 1
    assert header["kdf"]["name"] == "scrypt" and header["kdf"]["n"] >= 2**17
    assert header["cipher"]["name"] == "AES-256-GCM"
    assert "keys restore" in header["note"]


def test_no_key_or_passphrase_appears_in_the_file(ring: KeyRing, document: bytes) -> None:
    text = document.decode()
    assert PASSPHRASE not in text
    for key in [*ring.data_keys.values(), *ring.secrets.values()]:
        assert key.hex() not in text
        assert json.dumps(list(key)) not in text


def test_two_backups_of_one_ring_differ(ring: KeyRing, document: bytes) -> None:
    header = json.loads(document)
    other = json.loads(encrypt_ring(ring, PASSPHRASE, NOW))
    assert other["kdf"]["salt"] != header["kdf"]["salt"]
    assert other["ciphertext"] != header["ciphertext"]


def test_a_wrong_passphrase_is_refused(document: bytes) -> None:
    with pytest.raises(KeyBackupError, match="wrong passphrase"):
        decrypt_ring(document, PASSPHRASE.upper())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (("kdf", "salt"), "AAAAAAAAAAAAAAAAAAAAAA=="),
        (("cipher", "nonce"), "AAAAAAAAAAAAAAAA"),
        (("created_at",), "2020-01-01T00:00:00+00:00"),
        (("note",), "harmless-looking edit"),
    ],
)
def test_any_change_to_the_header_makes_it_fail_to_open(
    document: bytes, field: tuple[str, ...], value: str
) -> None:
    raw = json.loads(document)
    target = raw
    for part in field[:-1]:
        target = target[part]
    target[field[-1]] = value
    with pytest.raises(KeyBackupError, match="wrong passphrase, or the backup file is damaged"):
        decrypt_ring(json.dumps(raw).encode(), PASSPHRASE)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d[: len(d) // 2], "not JSON"),
        (lambda d: b"{}", "not a Xinan key backup"),
        (lambda d: d.replace(b'"version": 1', b'"version": 9'), "unsupported key backup version"),
        (lambda d: d.replace(b'"n": 131072', b'"n": 1073741824'), "out of range"),
        (lambda d: d.replace(b'"n": 131072', b'"n": 1000'), "out of range"),
        (lambda d: d.replace(b'"scrypt"', b'"pbkdf2"'), "unknown key derivation"),
        (lambda d: d.replace(b'"ciphertext": "', b'"ciphertext": "!'), "bad base64"),
        (lambda d: d.replace(b'"kdf"', b'"kdf_"'), "a field is missing"),
    ],
)
def test_a_damaged_file_is_one_clear_error(document: bytes, damage: object, message: str) -> None:
    with pytest.raises(KeyBackupError, match=message):
        decrypt_ring(damage(document), PASSPHRASE)  # type: ignore[operator]


def test_a_short_passphrase_is_refused(ring: KeyRing) -> None:
    with pytest.raises(KeyBackupError, match="at least 16"):
        encrypt_ring(ring, "fifteen chars!!", NOW)


def test_the_passphrase_is_compared_in_one_unicode_form(ring: KeyRing) -> None:
    composed, decomposed = "心安 café backup phrase", "心安 cafe\u0301 backup phrase"
    assert decrypt_ring(encrypt_ring(ring, composed, NOW), decomposed) == ring


def test_a_backup_file_is_private_and_never_overwritten(
    ring: KeyRing, document: bytes, tmp_path: Path
) -> None:
    out = tmp_path / "keys.backup"
    out.write_bytes(b"an older backup")
    with pytest.raises(KeyBackupError, match="exists already"):
        write_backup(ring, PASSPHRASE, out, NOW)
    assert out.read_bytes() == b"an older backup"
    fresh = tmp_path / "fresh.backup"
    write_backup(ring, PASSPHRASE, fresh, NOW)
    assert fresh.stat().st_mode & 0o777 == 0o600
    assert read_backup(fresh, PASSPHRASE) == ring


def test_restoring_never_destroys_a_different_key_file(ring: KeyRing, tmp_path: Path) -> None:
    key_file, other = tmp_path / "keys.json", KeyRing.generate()
    assert put_in_place(ring, key_file, force=False, now=NOW) is None
    assert put_in_place(ring, key_file, force=False, now=NOW) is None, "the same ring is a no-op"
    save_key_ring(other, key_file)
    with pytest.raises(KeyBackupError, match="--force"):
        put_in_place(ring, key_file, force=False, now=NOW)
    assert load_key_ring(key_file) == other
    aside = put_in_place(ring, key_file, force=True, now=NOW)
    assert aside is not None and load_key_ring(aside) == other
    assert load_key_ring(key_file) == ring


def test_the_backup_note_tells_a_stale_backup(ring: KeyRing, tmp_path: Path) -> None:
    key_file = tmp_path / "keys.json"
    assert last_backup(key_file) is None
    note_backup(ring, key_file, NOW)
    marker = last_backup(key_file)
    assert marker is not None and marker.at == NOW and marker.fingerprint == fingerprint(ring)
    assert fingerprint(ring.with_new_data_key()) != marker.fingerprint
