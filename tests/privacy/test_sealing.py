"""AES-256-GCM sealing bound to table, column and row (protection.md tests 20-21)."""

from __future__ import annotations

import pytest

from privacy.keys import KeyRing
from privacy.lookup import lookup_index, normalise_identifier, pseudonym
from privacy.sealing import (
    HEADER_BYTES,
    NONCE_BYTES,
    SealError,
    binding,
    open_sealed,
    seal,
    seal_many,
    sealed_header,
)


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing.generate()


def test_sealed_value_opens_in_its_own_cell(ring: KeyRing) -> None:
    where = binding("teachers", "name", "row-1")
    sealed = seal(ring, "王小明", where)
    assert "王小明".encode() not in sealed
    assert open_sealed(ring, sealed, where) == "王小明"


@pytest.mark.parametrize(
    "other", [("teachers", "name", "row-2"), ("teachers", "phone", "row-1"), ("x", "name", "row-1")]
)
def test_ciphertext_moved_to_another_cell_fails(ring: KeyRing, other: tuple[str, str, str]) -> None:
    sealed = seal(ring, "王小明", binding("teachers", "name", "row-1"))
    with pytest.raises(SealError, match="does not belong"):
        open_sealed(ring, sealed, binding(*other))


def test_header_names_algorithm_and_key_so_both_can_change(ring: KeyRing) -> None:
    rotated = ring.with_new_data_key()
    sealed = seal(rotated, "x", b"cell")
    assert sealed_header(sealed) == (1, 1, rotated.active_id)
    # The old key stays in the rotated ring, so values sealed before rotation still open.
    old = seal(ring, "y", b"cell")
    assert open_sealed(rotated, old, b"cell") == "y"


def test_flipped_bit_is_detected(ring: KeyRing) -> None:
    sealed = bytearray(seal(ring, "abc", b"cell"))
    sealed[-1] ^= 1
    with pytest.raises(SealError):
        open_sealed(ring, bytes(sealed), b"cell")


def test_same_value_seals_differently_each_time(ring: KeyRing) -> None:
    assert seal(ring, "same", b"c") != seal(ring, "same", b"c")


def test_full_width_staff_number_finds_the_same_index(ring: KeyRing) -> None:
    assert normalise_identifier(" ｇｚ０１２３\u200b ") == "GZ0123"
    assert lookup_index(ring, "staff_no", "ｇｚ０１２３") == lookup_index(
        ring, "staff_no", "GZ0123"
    )


def test_index_depends_on_key_and_field(ring: KeyRing) -> None:
    other = KeyRing.generate()
    assert lookup_index(ring, "staff_no", "1") != lookup_index(other, "staff_no", "1")
    assert lookup_index(ring, "staff_no", "1") != lookup_index(ring, "phone", "1")


def test_pseudonym_is_stable_and_keyed(ring: KeyRing) -> None:
    assert pseudonym(ring, "t-1") == pseudonym(ring, "t-1")
    assert pseudonym(ring, "t-1") != pseudonym(KeyRing.generate(), "t-1")


def test_bulk_sealing_binds_each_cell_and_never_repeats_a_nonce(ring: KeyRing) -> None:
    cells = [(f"值{n}", binding("teachers", "name", f"row-{n}")) for n in range(50)]
    sealed = seal_many(ring, cells)
    assert [
        open_sealed(ring, s, where) for s, (_text, where) in zip(sealed, cells, strict=True)
    ] == [text for text, _where in cells]
    nonces = {s[HEADER_BYTES - NONCE_BYTES : HEADER_BYTES] for s in sealed}
    assert len(nonces) == len(sealed)
    with pytest.raises(SealError):
        open_sealed(ring, sealed[0], cells[1][1])
