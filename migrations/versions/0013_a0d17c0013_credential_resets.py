"""Credential resets under dual control: a one-time enrolment link (only its token's hash is
kept) sent to the owner's contact; and the account's own contact e-mail, sealed.

Revision ID: a0d17c0013
Revises: a0d17c0012
Create Date: 2026-11-30 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a0d17c0013"
down_revision = "a0d17c0012"
branch_labels = None
depends_on = None

STATUS = sa.Enum(
    "pending",
    "approved",
    "done",
    "cancelled",
    name="resetstatus",
    native_enum=False,
    length=20,
)


def upgrade() -> None:
    with op.batch_alter_table("staff_accounts") as batch_op:
        batch_op.add_column(sa.Column("email", sa.LargeBinary(), nullable=True))
    op.create_table(
        "credential_resets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("needs_approval", sa.Boolean(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", sa.Uuid(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by_id", sa.Uuid(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("link_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("contact_source", sa.String(length=10), nullable=False),
        sa.Column("destination", sa.LargeBinary(), nullable=True),
        sa.Column("totp_secret", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["staff_accounts.id"],
            name=op.f("fk_credential_resets_account_id_staff_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["staff_accounts.id"],
            name=op.f("fk_credential_resets_approved_by_id_staff_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"],
            ["staff_accounts.id"],
            name=op.f("fk_credential_resets_cancelled_by_id_staff_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["staff_accounts.id"],
            name=op.f("fk_credential_resets_requested_by_id_staff_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_credential_resets_token_hash")),
    )
    with op.batch_alter_table("credential_resets") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credential_resets_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_credential_resets_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("credential_resets") as batch_op:
        batch_op.drop_index(batch_op.f("ix_credential_resets_status"))
        batch_op.drop_index(batch_op.f("ix_credential_resets_account_id"))
    op.drop_table("credential_resets")
    with op.batch_alter_table("staff_accounts") as batch_op:
        batch_op.drop_column("email")
