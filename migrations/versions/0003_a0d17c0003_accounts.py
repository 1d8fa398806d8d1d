"""Staff accounts, role grants awaiting a second approval, server-side sessions, login attempts.

Revision ID: a0d17c0003
Revises: a0d17c0002
Create Date: 2026-11-28 17:04:46.045023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'a0d17c0003'
down_revision = 'a0d17c0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username_key', sa.LargeBinary(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempts_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempts_username_key'), ['username_key'], unique=False)

    op.create_table('staff_accounts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('totp_last_counter', sa.Integer(), nullable=True),
    sa.Column('teacher_id', sa.Uuid(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('sessions_valid_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('display_name', sa.LargeBinary(), nullable=True),
    sa.Column('totp_secret', sa.LargeBinary(), nullable=True),
    sa.Column('pending_totp_secret', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['teacher_id'], ['teachers.id'], name=op.f('fk_staff_accounts_teacher_id_teachers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_accounts')),
    sa.UniqueConstraint('teacher_id', name=op.f('uq_staff_accounts_teacher_id')),
    sa.UniqueConstraint('username', name=op.f('uq_staff_accounts_username'))
    )
    op.create_table('role_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.Enum('psychologist', 'supervisor', 'analyst', 'system_admin', 'security_admin', 'auditor', name='role', native_enum=False, length=20), nullable=False),
    sa.Column('scope_kind', sa.Enum('school', 'district', 'city', name='scopekind', native_enum=False, length=20), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'active', 'rejected', 'revoked', name='grantstatus', native_enum=False, length=20), nullable=False),
    sa.Column('requested_by_id', sa.Uuid(), nullable=True),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['staff_accounts.id'], name=op.f('fk_role_grants_account_id_staff_accounts')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_accounts.id'], name=op.f('fk_role_grants_decided_by_id_staff_accounts')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_role_grants_district_id_districts')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['staff_accounts.id'], name=op.f('fk_role_grants_requested_by_id_staff_accounts')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_role_grants_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_grants'))
    )
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_grants_account_id'), ['account_id'], unique=False)

    op.create_table('staff_sessions',
    sa.Column('token_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['staff_accounts.id'], name=op.f('fk_staff_sessions_account_id_staff_accounts')),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_staff_sessions'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_account_id'), ['account_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_account_id'))

    op.drop_table('staff_sessions')
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_grants_account_id'))

    op.drop_table('role_grants')
    op.drop_table('staff_accounts')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_username_key'))
        batch_op.drop_index(batch_op.f('ix_login_attempts_at'))

    op.drop_table('login_attempts')
