"""Checked reading of TOML tables: every error names the file and the dotted field.

:class:`Table` wraps one parsed table.  Each getter checks type and presence, and
:meth:`Table.done` rejects unknown keys, so a misspelt field fails loudly instead of being
silently ignored.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

from instruments.model import Text


class SchemaError(ValueError):
    """A data file does not match its schema; the message names the file and the field."""

    def __init__(self, path: str, field: str, problem: str) -> None:
        self.path, self.field, self.problem = path, field, problem
        super().__init__(f"{path}: field '{field}': {problem}")


def read_toml(path: Path) -> Table:
    """Parse a TOML file into a checked :class:`Table`."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise SchemaError(str(path), "<file>", f"cannot be read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(str(path), "<file>", f"is not valid TOML ({exc})") from None
    return Table(data, str(path), "")


class Table:
    """One TOML table with its file and dotted location, for error messages."""

    def __init__(self, data: dict[str, Any], path: str, where: str) -> None:
        self.data, self.path, self.where = data, path, where
        self._seen: set[str] = set()

    def field(self, key: str) -> str:
        """Dotted name of ``key`` inside this table."""
        return f"{self.where}.{key}" if self.where else key

    def error(self, key: str, problem: str) -> SchemaError:
        """A :class:`SchemaError` about ``key`` of this table."""
        return SchemaError(self.path, self.field(key), problem)

    def has(self, key: str) -> bool:
        """Whether ``key`` is present."""
        return key in self.data

    def _get(self, key: str, kind: type | tuple[type, ...], name: str) -> Any:
        self._seen.add(key)
        if key not in self.data:
            raise self.error(key, "is required")
        value = self.data[key]
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.error(key, f"must be {name}, not a boolean")
        if not isinstance(value, kind):
            raise self.error(key, f"must be {name}, not {type(value).__name__}")
        return value

    def string(self, key: str, default: str | None = None) -> str:
        """A non-empty string."""
        if default is not None and key not in self.data:
            self._seen.add(key)
            return default
        value: str = self._get(key, str, "a string")
        if not value.strip():
            raise self.error(key, "must not be empty")
        return value

    def opt_str(self, key: str) -> str | None:
        """An optional non-empty string."""
        self._seen.add(key)
        return self.string(key) if key in self.data else None

    def boolean(self, key: str, default: bool) -> bool:
        """A boolean, ``default`` when absent."""
        if key not in self.data:
            self._seen.add(key)
            return default
        value: bool = self._get(key, bool, "true or false")
        return value

    def integer(self, key: str, low: int = 0) -> int:
        """An integer ``>= low``."""
        value: int = self._get(key, int, "an integer")
        if value < low:
            raise self.error(key, f"must be at least {low}")
        return value

    def number(self, key: str) -> Fraction:
        """A finite number, kept exact (floats via their decimal spelling)."""
        value = self._get(key, (int, float), "a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(key, "must be finite")
        return Fraction(str(value)) if isinstance(value, float) else Fraction(value)

    def opt_number(self, key: str) -> Fraction | None:
        """An optional finite number."""
        self._seen.add(key)
        return self.number(key) if key in self.data else None

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        """A string that must be one of ``allowed``."""
        value = self.string(key)
        if value not in allowed:
            raise self.error(key, f"must be one of {', '.join(allowed)}, not {value!r}")
        return value

    def text(self, key: str) -> Text:
        """A ``{zh-CN = ..., en = ...}`` table."""
        t = self.table(key)
        result = Text(zh=t.string("zh-CN"), en=t.string("en"))
        t.done()
        return result

    def own_text(self) -> Text:
        """The ``zh-CN`` and ``en`` keys of this table itself."""
        return Text(zh=self.string("zh-CN"), en=self.string("en"))

    def table(self, key: str) -> Table:
        """A sub-table."""
        return Table(self._get(key, dict, "a table"), self.path, self.field(key))

    def tables(self, key: str, required: bool = True) -> Iterator[Table]:
        """An array of tables (empty when absent and not required)."""
        if not required and key not in self.data:
            self._seen.add(key)
            return iter(())
        rows: list[Any] = self._get(key, list, "an array of tables")
        if required and not rows:
            raise self.error(key, "must not be empty")
        return self._rows(key, rows)

    def _rows(self, key: str, rows: list[Any]) -> Iterator[Table]:
        for i, row in enumerate(rows):
            where = f"{self.field(key)}[{i}]"
            if not isinstance(row, dict):
                raise SchemaError(self.path, where, "must be a table")
            yield Table(row, self.path, where)

    def strings(self, key: str) -> list[str]:
        """A non-empty array of strings."""
        value: list[Any] = self._get(key, list, "an array of strings")
        if not value or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, "must be a non-empty array of non-empty strings")
        return value

    def mark(self, key: str) -> None:
        """Record ``key`` as read by a caller that parsed it itself."""
        self._seen.add(key)

    def done(self) -> None:
        """Reject keys that no getter asked for (usually a misspelling)."""
        unknown = sorted(set(self.data) - self._seen)
        if unknown:
            raise self.error(unknown[0], "is not a known field")
