"""Join the teacher-flow and wave branches of the schema (built in parallel) into one head.

Revision ID: a0d17c0007
Revises: a0d17c0005, a0d17c0006
"""

from __future__ import annotations

revision = "a0d17c0007"
down_revision = ("a0d17c0005", "a0d17c0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
