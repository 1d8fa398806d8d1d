"""Forgot my PIN: the keyed hash of a reset code sent to the roster contact, when, how many;
and when the PIN was last set (a new PIN ends the unlocks made with the old one).

Revision ID: a0d17c0012
Revises: a0d17c0011
Create Date: 2026-11-29 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a0d17c0012"
down_revision = "a0d17c0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitations") as batch_op:
        batch_op.add_column(sa.Column("pin_reset_hash", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("pin_reset_sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("pin_reset_count", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pin_set_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch_op:
        batch_op.drop_column("pin_set_at")
        batch_op.drop_column("pin_reset_count")
        batch_op.drop_column("pin_reset_sent_at")
        batch_op.drop_column("pin_reset_hash")
