"""The second reader's tables: the registered model files, the predictions stored at each release
with the outcome the next release brought, their evaluations, and the shadow/live switch.

A prediction is a note about one teacher-wave under the teacher's pseudonym; its probability
and its outcome are sealed, as a response's scores are, and it goes with the response when the
teacher withdraws or opts out, and when the response's answers reach the end of retention. The
switch follows the grants' dual control: turning the list on waits for a second security
administrator; turning it off takes one.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, UTCDateTime, enum_type, utcnow
from privacy.vault import sealed_bool, sealed_float


class ModelMode(enum.StrEnum):
    """Shadow: predictions are stored and evaluated, shown to nobody. Live: the check-in list."""

    SHADOW = "shadow"
    LIVE = "live"


class SwitchStatus(enum.StrEnum):
    """pending (waiting for a second security administrator) → approved or rejected."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class RiskModel(Base):
    """One trained model file under the instance folder, known by the SHA-256 of its bytes."""

    __tablename__ = "risk_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    trained_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who trained it: an account id, or "system" for the command line.
    trained_by: Mapped[str] = mapped_column(String(64))
    # {"wave_ids", "rows", "data_digest", "chosen", "metrics", ...}: what it learned from and
    # how it did on the held-out wave.
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


class RiskPrediction(Base):
    """One teacher's probability, at a released wave, of a high or crisis level at the next."""

    __tablename__ = "risk_predictions"
    __table_args__ = (
        UniqueConstraint("model_id", "response_id", name="uq_risk_predictions_model_response"),
    )

    # A UUID made before insert: the sealed cells are bound to their row's id.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    model_id: Mapped[int] = mapped_column(ForeignKey("risk_models.id"), index=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    response_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    pseudonym: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Filled when the next wave is released: which wave (plain: the release looks for the
    # predictions still waiting), and the outcome (sealed).
    outcome_wave_id: Mapped[int | None] = mapped_column(ForeignKey("waves.id"))

    probability_sealed: Mapped[bytes] = mapped_column("probability", LargeBinary)
    outcome_sealed: Mapped[bytes | None] = mapped_column("outcome", LargeBinary)
    # P(high or crisis at the next wave), as the model gave it.
    probability = sealed_float()
    # Whether the teacher's level at the next wave was high or crisis (None: they did not
    # answer it, or it is not released yet).
    outcome = sealed_bool()


class RiskEvaluation(Base):
    """How one model's predictions at one wave fared against the next released wave."""

    __tablename__ = "risk_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("risk_models.id"), index=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"))
    outcome_wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"))
    # Predictions with a known outcome.
    rows: Mapped[int] = mapped_column(Integer)
    # ``scoring.risk_model.evaluate_predictions``: AUROC, Brier, calibration, per group.
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModelSwitch(Base):
    """A request to put the second reader in shadow or live mode, and its decision."""

    __tablename__ = "model_switches"

    id: Mapped[int] = mapped_column(primary_key=True)
    mode: Mapped[ModelMode] = mapped_column(enum_type(ModelMode))
    status: Mapped[SwitchStatus] = mapped_column(enum_type(SwitchStatus), index=True)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_accounts.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
