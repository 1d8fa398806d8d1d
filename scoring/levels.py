"""Risk levels as a shared term: the names the database stores, in order of severity.

The engine returns ``int8`` codes (``scoring.codes``); everything above it (a response, a case,
an outreach, a report) speaks of :class:`RiskLevel`. ``RiskLevel.from_code`` is the only
conversion, and ``severity`` the only order: a case is raised, never lowered, by comparing them.
"""

from __future__ import annotations

import enum

from scoring.codes import LEVEL_CODES, LEVEL_NAMES


class RiskLevel(enum.StrEnum):
    """A battery's level under the risk policy (stored in plain text: it routes care)."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    CRISIS = "crisis"

    @classmethod
    def from_code(cls, code: int) -> RiskLevel | None:
        """The level of an engine code, or ``None`` for code 0 (not determined)."""
        name = LEVEL_NAMES[int(code)]
        return None if name is None else cls(name)

    @property
    def severity(self) -> int:
        """1 (low) to 4 (crisis): higher is more severe."""
        return LEVEL_CODES[self.value]
