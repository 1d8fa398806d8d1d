"""Integer codes the engine returns, and their names: risk levels and per-instrument flags.

Levels are ``int8`` codes ordered by severity so that "highest" is ``max``:
``0`` none (null: not determined), ``1`` low, ``2`` moderate, ``3`` high, ``4`` crisis.

Flags are bits of a ``uint16`` mask per instrument.  Bits 0–4 are the same for every
instrument (:data:`COMMON_FLAGS`); bits 5 and up are the instrument's own item flags, in the
order of its file (``item9_positive`` for PHQ-9).  :func:`flag_names` gives the names.
"""

from __future__ import annotations

from typing import Final

from instruments import Instrument

NONE: Final = 0
LOW: Final = 1
MODERATE: Final = 2
HIGH: Final = 3
CRISIS: Final = 4
LEVEL_NAMES: Final[tuple[str | None, ...]] = (None, "low", "moderate", "high", "crisis")
LEVEL_CODES: Final[dict[str, int]] = {
    "low": LOW,
    "moderate": MODERATE,
    "high": HIGH,
    "crisis": CRISIS,
}

INCOMPLETE: Final = 1 << 0
PRORATED: Final = 1 << 1
SAFETY_ITEM_UNANSWERED: Final = 1 << 2
RELIABLE_DETERIORATION: Final = 1 << 3
RELIABLE_IMPROVEMENT: Final = 1 << 4
COMMON_FLAGS: Final[tuple[str, ...]] = (
    "incomplete",
    "prorated",
    "safety_item_unanswered",
    "reliable_deterioration",
    "reliable_improvement",
)
MAX_FLAGS: Final = 16


def flag_names(instrument: Instrument) -> tuple[str, ...]:
    """Name of each flag bit of ``instrument``, lowest bit first."""
    return COMMON_FLAGS + tuple(f.id for f in instrument.item_flags)


def describe_flags(mask: int, instrument: Instrument) -> list[str]:
    """Names of the flags set in ``mask`` (one instrument's ``uint16`` flag mask)."""
    return [name for bit, name in enumerate(flag_names(instrument)) if int(mask) >> bit & 1]


def level_name(code: int) -> str | None:
    """``"low"``, ``"moderate"``, ``"high"``, ``"crisis"``, or ``None`` for code 0."""
    return LEVEL_NAMES[int(code)]
