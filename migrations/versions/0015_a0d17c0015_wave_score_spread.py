"""The SD of each score over a wave's submissions, frozen when the wave closes: what the next
wave's reliable change (Jacobson & Truax) is judged against.

Waves closed before this revision get theirs from the next wave sweep (``survey.waves.jobs``):
their scores are sealed, and a migration holds no keys.

Revision ID: a0d17c0015
Revises: a0d17c0014
Create Date: 2026-12-08 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a0d17c0015"
down_revision = "a0d17c0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create wave_score_spreads."""
    op.create_table(
        "wave_score_spreads",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=20), nullable=False),
        sa.Column("score", sa.String(length=40), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column("sd", sa.Float(), nullable=True),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["waves.id"], name="fk_wave_score_spreads_wave_id_waves"
        ),
        sa.PrimaryKeyConstraint("wave_id", "instrument", "score", name="pk_wave_score_spreads"),
    )


def downgrade() -> None:
    """Drop wave_score_spreads."""
    op.drop_table("wave_score_spreads")
