"""Case work: the contact log (case_events), assignment time, next contact date and referral.

Revision ID: a0d17c0008
Revises: a0d17c0007
Create Date: 2026-12-08 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a0d17c0008"
down_revision = "a0d17c0007"
branch_labels = None
depends_on = None

STATES = ("new", "acknowledged", "contacted", "following_up", "referred", "closed")


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_contact_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("referral_type", sa.String(length=40), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_cases_next_contact_at"), ["next_contact_at"], unique=False
        )
    op.create_table(
        "case_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column(
            "from_state",
            sa.Enum(*STATES, name="casestate", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "to_state",
            sa.Enum(*STATES, name="casestate", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("next_contact_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("referral_type", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff_accounts.id"], name=op.f("fk_case_events_actor_id_staff_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["staff_accounts.id"],
            name=op.f("fk_case_events_assignee_id_staff_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))
    op.drop_table("case_events")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_next_contact_at"))
        batch_op.drop_column("referral_type")
        batch_op.drop_column("next_contact_at")
        batch_op.drop_column("assigned_at")
