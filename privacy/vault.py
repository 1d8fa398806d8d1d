"""Sealed attributes on models: services read and write plain values, the database holds ciphertext.

``SealedField`` is a descriptor over a binary column. It seals with the installed key ring, bound
to the model's table, the field name and the row id (generated before insert, so the binding is
known when the value is set). A value that fails to open is reported in the log by table, column
and row id, never by content, and raised as ``SealError``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar, overload

from privacy.keys import KeyRing, KeyRingError
from privacy.sealing import SealError, binding, open_sealed, seal, seal_many

log = logging.getLogger(__name__)
T = TypeVar("T")

_installed: KeyRing | None = None


def install_key_ring(ring: KeyRing) -> None:
    """Make ``ring`` the key ring used by every sealed attribute in this process."""
    global _installed
    _installed = ring


def key_ring() -> KeyRing:
    """The installed key ring; a KeyRingError when the app has not installed one."""
    if _installed is None:
        raise KeyRingError("no key ring installed: create the app first")
    return _installed


def seal_cell(table: str, column: str, row_id: object, value: object) -> bytes | None:
    """Seal one value for one cell (used by bulk writers that bypass the ORM)."""
    if value is None:
        return None
    return seal(key_ring(), _to_text(value), binding(table, column, row_id))


def seal_row(
    table: str, row_id: object, values: Sequence[tuple[str, object]]
) -> list[bytes | None]:
    """Seal several cells of one row at once (bulk writers); None stays None."""
    present = [(column, value) for column, value in values if value is not None]
    sealed = iter(
        seal_many(
            key_ring(),
            [(_to_text(value), binding(table, column, row_id)) for column, value in present],
        )
    )
    return [None if value is None else next(sealed) for _column, value in values]


def open_cell(table: str, column: str, row_id: object, sealed: bytes | None) -> str | None:
    """Open one cell's sealed value, reporting a failure by location only."""
    if sealed is None:
        return None
    try:
        return open_sealed(key_ring(), bytes(sealed), binding(table, column, row_id))
    except SealError:
        log.error(
            "sealed value failed to open",
            extra={
                "event": "privacy.seal_failure",
                "table": table,
                "column": column,
                "row": str(row_id),
            },
        )
        raise


def _to_text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _to_bool(text: str) -> bool:
    return text == "1"


class SealedField(Generic[T]):
    """A model attribute stored sealed in the binary column ``<name>_sealed``."""

    def __init__(self, parse: Callable[[str], T]) -> None:
        self.parse = parse
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.column_attr = f"{name}_sealed"

    @overload
    def __get__(self, obj: None, owner: type) -> SealedField[T]: ...
    @overload
    def __get__(self, obj: object, owner: type) -> T | None: ...
    def __get__(self, obj: object | None, owner: type) -> SealedField[T] | T | None:
        if obj is None:
            return self
        sealed = getattr(obj, self.column_attr)
        text = open_cell(_table(obj), self.name, _row_id(obj), sealed)
        return None if text is None else self.parse(text)

    def __set__(self, obj: object, value: T | None) -> None:
        setattr(obj, self.column_attr, seal_cell(_table(obj), self.name, _row_id(obj), value))


def sealed_text() -> SealedField[str]:
    """A sealed string attribute."""
    return SealedField(str)


def sealed_int() -> SealedField[int]:
    """A sealed integer attribute."""
    return SealedField(int)


def sealed_float() -> SealedField[float]:
    """A sealed float attribute (its shortest round-tripping decimal text)."""
    return SealedField(float)


def sealed_bool() -> SealedField[bool]:
    """A sealed boolean attribute."""
    return SealedField(_to_bool)


def _table(obj: object) -> str:
    return str(type(obj).__tablename__)  # type: ignore[attr-defined]


def _row_id(obj: Any) -> object:
    # Ids are generated before insert so that the ciphertext can be bound to its row.
    if getattr(obj, "id", None) is None:
        obj.id = uuid.uuid4()
    return obj.id
