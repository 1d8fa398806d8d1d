"""Join the follow-up (cases, escalation) and reports branches of the schema into one head.

Revision ID: a0d17c0011
Revises: a0d17c0008, a0d17c0009, a0d17c0010
"""

from __future__ import annotations

revision = "a0d17c0011"
down_revision = ("a0d17c0008", "a0d17c0009", "a0d17c0010")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
