"""The audit chain: append-only ``audit_entries`` and the ``audit_head`` lock row.

The database itself refuses UPDATE and DELETE on audit entries (and TRUNCATE on PostgreSQL), so a
bug or an SQL console cannot quietly change the log; the HMAC chain catches whoever gets past the
triggers. ``audit_head`` may only move forward by one and cannot be deleted.

Revision ID: a0d17c0002
Revises: 05b10ea9ea8b
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "a0d17c0002"
down_revision = "05b10ea9ea8b"
branch_labels = None
depends_on = None

REFUSED = "audit log is append-only"

SQLITE_TRIGGERS = {
    "audit_entries_no_update": "BEFORE UPDATE ON audit_entries",
    "audit_entries_no_delete": "BEFORE DELETE ON audit_entries",
    "audit_head_forward_only": (
        "BEFORE UPDATE ON audit_head WHEN NEW.seq <> OLD.seq + 1 OR NEW.id <> OLD.id"
    ),
    "audit_head_no_delete": "BEFORE DELETE ON audit_head",
}

POSTGRES_FUNCTIONS = {
    "audit_refuse_change": f"""
        BEGIN
            RAISE EXCEPTION '{REFUSED}: % on % refused', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END
    """,
    "audit_head_forward_only": f"""
        BEGIN
            IF NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1 THEN
                RAISE EXCEPTION '{REFUSED}: audit_head only moves forward by one'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END
    """,
}

POSTGRES_TRIGGERS = {
    "audit_entries_append_only": (
        "BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW",
        "audit_refuse_change",
    ),
    "audit_entries_no_truncate": (
        "BEFORE TRUNCATE ON audit_entries FOR EACH STATEMENT",
        "audit_refuse_change",
    ),
    "audit_head_forward_only": (
        "BEFORE UPDATE ON audit_head FOR EACH ROW",
        "audit_head_forward_only",
    ),
    "audit_head_no_delete": (
        "BEFORE DELETE ON audit_head FOR EACH ROW",
        "audit_refuse_change",
    ),
    "audit_head_no_truncate": (
        "BEFORE TRUNCATE ON audit_head FOR EACH STATEMENT",
        "audit_refuse_change",
    ),
}


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=True),
        sa.Column("object_id", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_entries_seq")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_object_id"), ["object_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_time"), ["time"], unique=False)

    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0}])

    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        for name, when in SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} {when} "
                f"BEGIN SELECT RAISE(ABORT, '{REFUSED}: {name} refused'); END"
            )


def _postgres_triggers() -> None:
    for name, body in POSTGRES_FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$")
    # Owners and superusers can still disable a trigger: production runs the app as a role that
    # owns nothing and holds no TRIGGER grant (docs/decisions/0003-audit-chain.md).
    for name, (when, function) in POSTGRES_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {function}()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, (when, _function) in POSTGRES_TRIGGERS.items():
            table = when.split(" ON ")[1].split()[0]
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for name in POSTGRES_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")

    op.drop_table("audit_head")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_time"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_object_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_actor"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_action"))
    op.drop_table("audit_entries")
