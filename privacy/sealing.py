"""AES-256-GCM sealing of one value, bound to its table, column and row.

A sealed value is ``version | algorithm | key id | nonce | ciphertext+tag``. The header travels
with the ciphertext so the algorithm (e.g. SM4 for a national assessment) and the key can change
row by row. The associated data is the header plus ``table/column/row``, so a ciphertext copied
to another row, column or table fails to open.
"""

from __future__ import annotations

import functools
import os
import struct
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from privacy.keys import KeyRing

FORMAT_VERSION = 1
ALG_AES_256_GCM = 1
ALGORITHMS = {ALG_AES_256_GCM: "AES-256-GCM"}
_HEADER = struct.Struct(">BBI")
NONCE_BYTES = 12
HEADER_BYTES = _HEADER.size + NONCE_BYTES


class SealError(ValueError):
    """A sealed value could not be opened: tampered, moved to another row, or of an unknown key."""


def binding(table: str, column: str, row_id: object) -> bytes:
    """The associated data that ties a ciphertext to one cell."""
    return f"{table}/{column}/{row_id}".encode()


def seal(ring: KeyRing, plaintext: str, where: bytes) -> bytes:
    """Encrypt ``plaintext`` with the active data key, bound to the cell ``where``."""
    header, cipher = _active(ring)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + cipher.encrypt(nonce, plaintext.encode("utf-8"), header + where)


def seal_many(ring: KeyRing, cells: Sequence[tuple[str, bytes]]) -> list[bytes]:
    """Seal ``(plaintext, where)`` pairs: one header, one cipher, one draw of random nonces."""
    header, cipher = _active(ring)
    nonces = os.urandom(NONCE_BYTES * len(cells))
    sealed = []
    for n, (plaintext, where) in enumerate(cells):
        nonce = nonces[n * NONCE_BYTES : (n + 1) * NONCE_BYTES]
        sealed.append(
            header + nonce + cipher.encrypt(nonce, plaintext.encode("utf-8"), header + where)
        )
    return sealed


def open_sealed(ring: KeyRing, sealed: bytes, where: bytes) -> str:
    """Decrypt a value sealed for the cell ``where``; any mismatch is a SealError."""
    _version, algorithm, key_id = sealed_header(sealed)
    if algorithm != ALG_AES_256_GCM:
        raise SealError(f"unsupported algorithm code {algorithm}")
    header, nonce = sealed[: _HEADER.size], sealed[_HEADER.size : HEADER_BYTES]
    body = sealed[HEADER_BYTES:]
    try:
        plain = _cipher(ring.data_key(key_id)).decrypt(nonce, body, header + where)
    except InvalidTag:
        raise SealError("ciphertext does not belong to this cell or was altered") from None
    return plain.decode("utf-8")


def sealed_header(sealed: bytes) -> tuple[int, int, int]:
    """(format version, algorithm code, key id) of a sealed value."""
    if len(sealed) < HEADER_BYTES + 16:
        raise SealError("sealed value is too short")
    version, algorithm, key_id = _HEADER.unpack_from(sealed)
    if version != FORMAT_VERSION:
        raise SealError(f"unknown sealed format version {version}")
    return version, algorithm, key_id


def _active(ring: KeyRing) -> tuple[bytes, AESGCM]:
    # A bulk import seals millions of cells: build the header and the cipher once per key.
    return _header_and_cipher(ring.active_id, ring.data_key(ring.active_id))


@functools.lru_cache(maxsize=16)
def _header_and_cipher(key_id: int, key: bytes) -> tuple[bytes, AESGCM]:
    return _HEADER.pack(FORMAT_VERSION, ALG_AES_256_GCM, key_id), _cipher(key)


@functools.lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    # Building the cipher object costs more than sealing a short value; reuse it per key.
    return AESGCM(key)
