"""The teacher flow: consent version on invitations, withdrawal markers on responses and cases.

Revision ID: a0d17c0005
Revises: a0d17c0004
Create Date: 2026-11-29 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a0d17c0005"
down_revision = "a0d17c0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_version", sa.String(length=20), nullable=True))
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_responses_withdrawn_at"), ["withdrawn_at"], unique=False
        )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("teacher_withdrew_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("teacher_withdrew_at")
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_responses_withdrawn_at"))
        batch_op.drop_column("withdrawn_at")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("consent_version")
