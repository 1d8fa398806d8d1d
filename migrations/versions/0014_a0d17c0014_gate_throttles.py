"""Gate throttles: when a link's last wrong answer came, so its failure count decays with time
(a success no longer resets it).

Revision ID: a0d17c0014
Revises: a0d17c0013
Create Date: 2026-12-01 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a0d17c0014"
down_revision = "a0d17c0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitations") as batch_op:
        batch_op.add_column(sa.Column("pin_failed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch_op:
        batch_op.drop_column("pin_failed_at")
