"""Frozen bureau report releases.

Revision ID: a0d17c0010
Revises: a0d17c0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a0d17c0010"
down_revision = "a0d17c0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create report_releases."""
    op.create_table(
        "report_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("charts", sa.JSON(), nullable=False),
        sa.Column("page_html", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["wave_id"], ["waves.id"], name="fk_report_releases_wave_id_waves"),
        sa.PrimaryKeyConstraint("id", name="pk_report_releases"),
        sa.UniqueConstraint("wave_id", name="uq_report_releases_wave_id"),
    )


def downgrade() -> None:
    """Drop report_releases."""
    op.drop_table("report_releases")
