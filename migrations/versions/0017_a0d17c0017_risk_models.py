"""The second reader: registered model files, stored predictions (probability and outcome sealed)
and their evaluations, and the shadow/live switch.

Revision ID: a0d17c0017
Revises: a0d17c0016
Create Date: 2026-12-09 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a0d17c0017"
down_revision = "a0d17c0016"
branch_labels = None
depends_on = None

MODES = ("shadow", "live")
SWITCH_STATES = ("pending", "approved", "rejected")


def upgrade() -> None:
    """Create risk_models, risk_predictions, risk_evaluations and model_switches."""
    op.create_table(
        "risk_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trained_by", sa.String(64), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_risk_models"),
        sa.UniqueConstraint("digest", name="uq_risk_models_digest"),
    )
    op.create_table(
        "risk_predictions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("pseudonym", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome_wave_id", sa.Integer(), nullable=True),
        # Sealed (privacy.vault), bound to the row id: the probability and the outcome.
        sa.Column("probability", sa.LargeBinary(), nullable=False),
        sa.Column("outcome", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"], ["risk_models.id"], name="fk_risk_predictions_model_id_risk_models"
        ),
        sa.ForeignKeyConstraint(["wave_id"], ["waves.id"], name="fk_risk_predictions_wave_id_waves"),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name="fk_risk_predictions_response_id_responses",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outcome_wave_id"], ["waves.id"], name="fk_risk_predictions_outcome_wave_id_waves"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_risk_predictions"),
        sa.UniqueConstraint("model_id", "response_id", name="uq_risk_predictions_model_response"),
    )
    for column in ("model_id", "wave_id", "response_id", "pseudonym"):
        op.create_index(f"ix_risk_predictions_{column}", "risk_predictions", [column])
    op.create_table(
        "risk_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("outcome_wave_id", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["risk_models.id"], name="fk_risk_evaluations_model_id_risk_models"
        ),
        sa.ForeignKeyConstraint(["wave_id"], ["waves.id"], name="fk_risk_evaluations_wave_id_waves"),
        sa.ForeignKeyConstraint(
            ["outcome_wave_id"], ["waves.id"], name="fk_risk_evaluations_outcome_wave_id_waves"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_risk_evaluations"),
    )
    op.create_index("ix_risk_evaluations_model_id", "risk_evaluations", ["model_id"])
    op.create_table(
        "model_switches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.Enum(*MODES, name="modelmode", native_enum=False, length=20),
                  nullable=False),  # fmt: skip
        sa.Column("status", sa.Enum(*SWITCH_STATES, name="switchstatus", native_enum=False,
                                    length=20), nullable=False),  # fmt: skip
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["staff_accounts.id"],
            name="fk_model_switches_requested_by_id_staff_accounts",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["staff_accounts.id"],
            name="fk_model_switches_decided_by_id_staff_accounts",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_model_switches"),
    )
    op.create_index("ix_model_switches_status", "model_switches", ["status"])


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_model_switches_status", table_name="model_switches")
    op.drop_table("model_switches")
    op.drop_index("ix_risk_evaluations_model_id", table_name="risk_evaluations")
    op.drop_table("risk_evaluations")
    for column in ("pseudonym", "response_id", "wave_id", "model_id"):
        op.drop_index(f"ix_risk_predictions_{column}", table_name="risk_predictions")
    op.drop_table("risk_predictions")
    op.drop_table("risk_models")
