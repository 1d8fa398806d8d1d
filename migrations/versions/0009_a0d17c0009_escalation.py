"""Exactly-once reminders and escalations, the staff inbox, and each case's next sweep time.

Revision ID: a0d17c0009
Revises: a0d17c0007
Create Date: 2026-12-08 10:00:00.000000
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "a0d17c0009"
down_revision = "a0d17c0007"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("deadline", sa.Enum("acknowledge", "contact", name="deadline", native_enum=False, length=20), nullable=False),
        sa.Column("kind", sa.Enum("reminder", "escalation", name="stepkind", native_enum=False, length=20), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("done_at", TS, nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_steps_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_steps")),
        sa.UniqueConstraint("case_id", "deadline", "kind", "seq", name=op.f("uq_case_steps_case_id")),
    )  # fmt: skip
    op.create_table(
        "inbox_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("read_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["staff_accounts.id"], name=op.f("fk_inbox_items_account_id_staff_accounts")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_inbox_items_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_items")),
        sa.UniqueConstraint("key", name=op.f("uq_inbox_items_key")),
    )  # fmt: skip
    with op.batch_alter_table("inbox_items") as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_items_account_id"), ["account_id"])
        batch_op.create_index(batch_op.f("ix_inbox_items_case_id"), ["case_id"])
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("next_step_at", TS, nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_next_step_at"), ["next_step_at"])
    # Cases already open are looked at by the first sweep after the upgrade.
    cases = sa.table("cases", sa.column("next_step_at", TS), sa.column("closed_at", TS))
    op.execute(
        cases.update()
        .where(cases.c.closed_at.is_(None))
        .values(next_step_at=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_next_step_at"))
        batch_op.drop_column("next_step_at")
    with op.batch_alter_table("inbox_items") as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_items_case_id"))
        batch_op.drop_index(batch_op.f("ix_inbox_items_account_id"))
    op.drop_table("inbox_items")
    op.drop_table("case_steps")
