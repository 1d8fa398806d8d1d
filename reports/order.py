"""The order in which a report shows its instruments: clinical, not alphabetical.

Depression and anxiety screens first (PHQ-9, GAD-7), then general distress (K10), wellbeing
(WHO-5), stress (PSS-10) and burnout (CBI): the order a psychologist reads a battery in. The
release's tables, its charts, the page and both exports all follow this one constant.
"""

from __future__ import annotations

CLINICAL_ORDER = ("phq9", "gad7", "k10", "who5", "pss10", "cbi")


def clinical_rank(instrument: str) -> int:
    """Position of an instrument in ``CLINICAL_ORDER``; an unlisted one comes after them all."""
    return CLINICAL_ORDER.index(instrument) if instrument in CLINICAL_ORDER else len(CLINICAL_ORDER)
