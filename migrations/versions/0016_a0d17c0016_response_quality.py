"""Early analysis: the response-quality note, page timings in the sealed response, and the
teacher's opt-out from the statistical second reader.

Revision ID: a0d17c0016
Revises: a0d17c0015
Create Date: 2026-12-08 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a0d17c0016"
down_revision = "a0d17c0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create response_quality; add responses.timings and invitations.model_opt_out_at."""
    op.create_table(
        "response_quality",
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name="fk_response_quality_response_id_responses",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["waves.id"], name="fk_response_quality_wave_id_waves"
        ),
        sa.PrimaryKeyConstraint("response_id", name="pk_response_quality"),
    )
    op.create_index("ix_response_quality_wave_id", "response_quality", ["wave_id"])
    with op.batch_alter_table("responses") as batch:
        batch.add_column(sa.Column("timings", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(
            sa.Column("model_opt_out_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("model_opt_out_at")
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("timings")
    op.drop_index("ix_response_quality_wave_id", table_name="response_quality")
    op.drop_table("response_quality")
