"""Words for display: reason masks to the policy's texts, one teacher's result to a dict.

Bits stay bits in the engine; they become words only here.
"""

from __future__ import annotations

from typing import Any

from scoring.codes import describe_flags, level_name
from scoring.policy import RiskPolicy
from scoring.results import InstrumentResult

LANGS = ("zh-CN", "en")


def describe_reasons(mask: Any, lang: str = "zh-CN", policy: RiskPolicy | None = None) -> list[str]:
    """Reason texts (``lang`` ``"zh-CN"`` or ``"en"``) of the rules whose bits are in ``mask``."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    if policy is None:
        from scoring import default_policy

        policy = default_policy()
    bits = int(mask)
    return [r.reason.get(lang) for r in policy.rules if bits >> r.index & 1]


def _number(value: float, integral: bool) -> int | float | None:
    if value != value:  # NaN: the score cannot be computed
        return None
    return int(value) if integral and float(value).is_integer() else float(value)


def summarize(
    result: InstrumentResult, row: int, policy: RiskPolicy, lang: str = "en"
) -> dict[str, Any]:
    """One teacher's result as the CLI prints it (see ``python -m scoring score``).

    ``band`` is the band of an instrument with a single scale (WHO-5's is on the percentage);
    an instrument with several scales (CBI) has ``band`` null and ``bands`` by scale.
    """
    inst = result.instrument
    base = [s for s in inst.scores if s.derived_from is None]
    scores = {
        s.id: _number(float(result.scores[s.id][row]), s.method == "sum") for s in inst.scores
    }
    out: dict[str, Any] = {"instrument": inst.id, "scores": scores, "band": None}
    if len(base) == 1:
        banded = [s.id for s in inst.scores if s.id in result.bands]
        out["band"] = result.band(banded[0], row) if banded else None
    else:
        out["bands"] = {s.id: result.band(s.id, row) for s in base}
    out["flags"] = describe_flags(int(result.flags[row]), inst)
    out["risk"] = level_name(int(result.level[row]))
    out["reasons"] = describe_reasons(result.reasons[row], lang, policy)
    return out
