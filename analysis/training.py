"""Train the second reader on the released waves and register it: what ``flask analysis train``
and the demo's first run do.

The panel is every released wave's submitted, not withdrawn, not opted-out responses
(``analysis.model_panel``); the file goes to ``instance/models/<sha256>.skops`` and the registry
keeps its digest, its training record (held-out figures per gender, age band, district and school
stage among them) and who trained it. A new model predicts from the next release on; shadow mode
stays as it is.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from analysis.model_files import register_model
from analysis.model_models import RiskModel
from analysis.model_panel import PanelRows, released_panel
from privacy.audit.record import record
from scoring.risk_model import fit_next_wave_model

# The groups of the held-out figures in the training record, beside the model's school stage
# (``fit_next_wave_model`` adds it): cells under 10 teachers are suppressed there.
TRAINING_GROUPS = ("gender", "age_band", "district")


class NothingToLearn(ValueError):
    """No released answers, or too few outcomes either way; the message says which."""


def train_and_register(
    session: Session, instance_path: Path, *, seed: int = 0, trained_by: str = "system"
) -> RiskModel:
    """Fit, save and register a model; audited (flushes; the caller commits)."""
    rows = released_panel(session)
    if len(rows.response_ids) == 0:
        raise NothingToLearn("没有已发布的作答 / no released responses to learn from")
    try:
        model = fit_next_wave_model(rows.panel, seed=seed, groups=fairness_groups(rows))
    except ValueError as error:
        raise NothingToLearn(str(error)) from None
    registered = register_model(session, model, instance_path, trained_by)
    registered.record = {**registered.record, "wave_ids": sorted({int(w) for w in rows.wave_ids})}
    record(session, trained_by, "model.trained", object_type="risk_model", object_id=registered.id)
    return registered


def fairness_groups(rows: PanelRows) -> dict[str, np.ndarray]:
    """The panel's gender, age band and district, one value per row, for the record."""
    return {name: rows.groups[name] for name in TRAINING_GROUPS}
