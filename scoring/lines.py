"""Parse and check one input line of ``python -m scoring score``.

A line is a JSON object ``{"instrument": ID, "answers": [...]}``, answers in the item order of
the instrument file as published option values, ``null`` for an unanswered item.  Anything
else raises :class:`LineError` with a message for the ``{"line": N, "error": ...}`` output.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from instruments import Instrument


class LineError(ValueError):
    """The line cannot be scored; the message says why."""


def reject_constant(name: str) -> Any:
    raise LineError(f"{name} is not a number JSON allows; answers must be finite numbers or null")


def load_object(text: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """The line as a JSON object holding each of ``keys``, or LineError saying what is wrong."""
    try:
        obj = json.loads(text, parse_constant=reject_constant)
    except LineError:
        raise
    except (ValueError, RecursionError) as exc:
        raise LineError(f"not valid JSON: {exc}") from None
    if not isinstance(obj, dict):
        named = ", ".join(repr(k) for k in keys[:-1]) + f" and {keys[-1]!r}"
        raise LineError(f"each line must be a JSON object with keys {named}")
    for key in keys:
        if key not in obj:
            raise LineError(f"missing key {key!r}")
    return obj


def parse_line(text: str, instruments: Mapping[str, Instrument]) -> tuple[str, list[float]]:
    """Return ``(instrument id, answers as floats with NaN for null)`` or raise LineError."""
    obj = load_object(text, ("instrument", "answers"))
    iid = obj["instrument"]
    if not isinstance(iid, str):
        raise LineError("'instrument' must be a string")
    if iid not in instruments:
        raise LineError(f"unknown instrument {iid!r} (known: {', '.join(sorted(instruments))})")
    return iid, parse_answers(obj["answers"], instruments[iid])


def parse_answers(raw: Any, inst: Instrument) -> list[float]:
    if not isinstance(raw, list):
        raise LineError("'answers' must be an array of numbers or null")
    if len(raw) != inst.n_items:
        raise LineError(f"{inst.id} needs {inst.n_items} answers, got {len(raw)}")
    return [_answer(v, n, inst) for n, v in enumerate(raw)]


def _answer(value: Any, n: int, inst: Instrument) -> float:
    item = inst.items[n]
    where = f"answer {n + 1} ({item.id})"
    if value is None:
        return math.nan
    if isinstance(value, bool):
        raise LineError(f"{where} is a boolean; answers must be numbers or null")
    if isinstance(value, str):
        raise LineError(f"{where} is a string; answers must be numbers or null")
    if not isinstance(value, int | float):
        raise LineError(f"{where} must be a number or null, not {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise LineError(f"{where} is not a finite number")
    if not any(value == v for v in item.values):
        allowed = ", ".join(str(v) for v in item.values)
        raise LineError(f"{where}: {value!r} is not an option of {inst.id} (allowed: {allowed})")
    return float(value)
