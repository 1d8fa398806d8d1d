"""What the survey hands caring follow-up for one response: a ``Referral`` (``alerts.door``).

Who (the pseudonym), which school and wave, which level and the rule ids that set it: alerts
opens cases and outreach from these values, never from the response row.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from alerts.door import Referral
from census.models import Response
from scoring.levels import RiskLevel


def referral_of(response: Response, level: RiskLevel, reasons: Sequence[str]) -> Referral:
    """The response handed to follow-up at ``level``, for the rule ids ``reasons``."""
    return Referral(
        response_id=response.id,
        pseudonym=response.pseudonym,
        school_id=response.school_id,
        wave_id=response.wave_id,
        level=level,
        reasons=tuple(reasons),
    )


def submitted_referral(response: Response) -> Referral:
    """The submitted response handed to follow-up at its level, with the rule ids that set it."""
    if response.risk_level is None:
        raise ValueError("the response has no level: it was not submitted, or it was erased")
    return referral_of(response, response.risk_level, json.loads(response.reasons or "[]"))
