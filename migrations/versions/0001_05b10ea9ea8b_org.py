"""Districts, schools and the teachers' identity vault (personal fields sealed).

Revision ID: 05b10ea9ea8b
Revises: 
Create Date: 2026-11-28 16:51:26.938831
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '05b10ea9ea8b'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('districts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_districts')),
    sa.UniqueConstraint('name', name=op.f('uq_districts_name'))
    )
    op.create_table('schools',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.Enum('primary', 'junior', 'senior', 'nine_year', 'twelve_year', 'special', name='schoollevel', native_enum=False, length=20), nullable=True),
    sa.Column('campus', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_schools_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schools')),
    sa.UniqueConstraint('district_id', 'name', name='uq_schools_district_name')
    )
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schools_district_id'), ['district_id'], unique=False)

    op.create_table('teachers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pseudonym', sa.String(length=32), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('staff_no_index', sa.LargeBinary(length=16), nullable=False),
    sa.Column('phone_index', sa.LargeBinary(length=16), nullable=True),
    sa.Column('roster_digest', sa.LargeBinary(length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff_no', sa.LargeBinary(), nullable=False),
    sa.Column('name', sa.LargeBinary(), nullable=False),
    sa.Column('gender', sa.LargeBinary(), nullable=True),
    sa.Column('birth_year', sa.LargeBinary(), nullable=True),
    sa.Column('years_of_service', sa.LargeBinary(), nullable=True),
    sa.Column('subject', sa.LargeBinary(), nullable=True),
    sa.Column('is_psychologist', sa.LargeBinary(), nullable=True),
    sa.Column('phone', sa.LargeBinary(), nullable=True),
    sa.Column('email', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_teachers_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teachers')),
    sa.UniqueConstraint('pseudonym', name=op.f('uq_teachers_pseudonym')),
    sa.UniqueConstraint('staff_no_index', name=op.f('uq_teachers_staff_no_index'))
    )
    with op.batch_alter_table('teachers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teachers_phone_index'), ['phone_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_teachers_school_id'), ['school_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('teachers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teachers_school_id'))
        batch_op.drop_index(batch_op.f('ix_teachers_phone_index'))

    op.drop_table('teachers')
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schools_district_id'))

    op.drop_table('schools')
    op.drop_table('districts')
