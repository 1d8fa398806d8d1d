"""Pure numpy scoring of the census battery: scores, bands, flags, risk levels, reliable change.

No Flask, no SQLAlchemy, no ``config`` import: the risk policy is a data file read by path.

The API the survey calls
------------------------
>>> import numpy as np
>>> from scoring import score_battery, describe_reasons, level_name
>>> answers = np.full((1, 9), 0.0); answers[0, 8] = 1       # PHQ-9, item 9 "several days"
>>> result = score_battery(["phq9"], answers)
>>> level_name(result.level[0]), float(result.instruments["phq9"].scores["total"][0])
('crisis', 1.0)
>>> describe_reasons(result.reasons[0], "en")[0][:10]
'PHQ-9 item'

* :func:`score_battery` ``(battery, answers, policy=None, previous=None) -> BatteryResult``:
  ``answers`` is ``(n_teachers, n_items)`` with the battery's instruments side by side, NaN for
  a missing answer.  Per instrument: ``scores`` (n,), ``bands`` (int8 codes), ``flags``
  (uint16 bits), ``level`` (int8: 0 none, 1 low, 2 moderate, 3 high, 4 crisis), ``reasons``
  (bit per policy rule).  Battery-wide ``level`` and ``reasons``.
* :func:`describe_reasons` ``(mask, lang, policy=None)`` and :func:`describe_flags` turn bits
  into words, for display only.
* :class:`PreviousWave` and :func:`previous_wave_sd` feed reliable change
  (Jacobson & Truax 1991); a reliable deterioration is a moderate rule of the default policy.
* :func:`load_policy` checks a policy file; :func:`default_policy` loads
  ``config/risk_policy.toml`` once.
* :class:`scoring.levels.RiskLevel` is a level as stored and compared above the engine
  (``RiskLevel.from_code``, ``.severity``).
* :func:`scoring.reference.score_one` is a plain per-teacher implementation of the same rules,
  kept as a test oracle and the benchmark's baseline.

Risk levels: an endorsed safety item fires even when other items are missing; otherwise an
incomplete instrument has no level (never ``low``); the battery level is the highest of its
instruments', and ``low`` only when every instrument is ``low``.
"""

from __future__ import annotations

from functools import lru_cache

from scoring.change import PreviousWave, previous_wave_sd, reliable_change_threshold
from scoring.codes import LEVEL_NAMES, describe_flags, flag_names, level_name
from scoring.describe import describe_reasons, summarize
from scoring.engine import score_battery
from scoring.plan import BatteryPlan, compile_battery
from scoring.policy import DEFAULT_POLICY_PATH, RiskPolicy, Rule, load_policy
from scoring.results import BatteryResult, InstrumentResult


@lru_cache(maxsize=1)
def default_policy() -> RiskPolicy:
    """The default risk policy (``config/risk_policy.toml``), loaded and checked once."""
    return load_policy(DEFAULT_POLICY_PATH)


__all__ = [
    "DEFAULT_POLICY_PATH",
    "LEVEL_NAMES",
    "BatteryPlan",
    "BatteryResult",
    "InstrumentResult",
    "PreviousWave",
    "RiskPolicy",
    "Rule",
    "compile_battery",
    "default_policy",
    "describe_flags",
    "describe_reasons",
    "flag_names",
    "level_name",
    "load_policy",
    "previous_wave_sd",
    "reliable_change_threshold",
    "score_battery",
    "summarize",
]
