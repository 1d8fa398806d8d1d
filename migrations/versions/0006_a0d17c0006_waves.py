"""Lost-link requests (keyed digests and times) for the hourly throttle.

Revision ID: a0d17c0006
Revises: a0d17c0004
Create Date: 2026-11-28 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'a0d17c0006'
down_revision = 'a0d17c0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lost_link_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.LargeBinary(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lost_link_attempts'))
    )
    with op.batch_alter_table('lost_link_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lost_link_attempts_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lost_link_attempts_key'), ['key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lost_link_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lost_link_attempts_key'))
        batch_op.drop_index(batch_op.f('ix_lost_link_attempts_at'))

    op.drop_table('lost_link_attempts')
