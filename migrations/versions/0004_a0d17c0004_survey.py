"""Waves, invitations, sealed responses; follow-up cases, caring outreach, the notification outbox.

Revision ID: a0d17c0004
Revises: a0d17c0003
Create Date: 2026-11-28 17:20:32.405684
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'a0d17c0004'
down_revision = 'a0d17c0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notifications',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.Enum('email', 'sms', name='channel', native_enum=False, length=20), nullable=False),
    sa.Column('state', sa.Enum('pending', 'sent', 'failed', name='deliverystate', native_enum=False, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recipient', sa.LargeBinary(), nullable=False),
    sa.Column('subject', sa.LargeBinary(), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('key', name=op.f('uq_notifications_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_state'), ['state'], unique=False)

    op.create_table('waves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('battery', sa.JSON(), nullable=False),
    sa.Column('no_safety_item_confirmed', sa.Boolean(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.Enum('draft', 'scheduled', 'open', 'closed', 'released', name='wavestate', native_enum=False, length=20), nullable=False),
    sa.Column('battery_locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waves'))
    )
    op.create_table('wave_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_wave_units_district_id_districts')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_wave_units_school_id_schools')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_wave_units_wave_id_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wave_units'))
    )
    with op.batch_alter_table('wave_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wave_units_wave_id'), ['wave_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('teacher_id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('status', sa.Enum('invited', 'started', 'submitted', 'declined', 'withdrawn', name='invitationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('pin_hash', sa.String(length=200), nullable=True),
    sa.Column('pin_failures', sa.Integer(), nullable=False),
    sa.Column('pin_locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('identity_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_invitations_school_id_schools')),
    sa.ForeignKeyConstraint(['teacher_id'], ['teachers.id'], name=op.f('fk_invitations_teacher_id_teachers')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_invitations_wave_id_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash')),
    sa.UniqueConstraint('wave_id', 'teacher_id', name='uq_invitations_wave_teacher')
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_teacher_id'), ['teacher_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_wave_id'), ['wave_id'], unique=False)

    op.create_table('responses',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('pseudonym', sa.String(length=32), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Uuid(), nullable=False),
    sa.Column('pages_saved', sa.Integer(), nullable=False),
    sa.Column('risk_level', sa.Enum('low', 'moderate', 'high', 'crisis', name='risklevel', native_enum=False, length=20), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('receipt', sa.String(length=20), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answers', sa.LargeBinary(), nullable=True),
    sa.Column('scores', sa.LargeBinary(), nullable=True),
    sa.Column('reasons', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_responses_invitation_id_invitations')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_responses_school_id_schools')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_responses_wave_id_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responses')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_responses_invitation_id')),
    sa.UniqueConstraint('receipt', name=op.f('uq_responses_receipt')),
    sa.UniqueConstraint('wave_id', 'pseudonym', name='uq_responses_wave_pseudonym')
    )
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responses_pseudonym'), ['pseudonym'], unique=False)
        batch_op.create_index(batch_op.f('ix_responses_risk_level'), ['risk_level'], unique=False)
        batch_op.create_index(batch_op.f('ix_responses_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_responses_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_responses_wave_id'), ['wave_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pseudonym', sa.String(length=32), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Uuid(), nullable=True),
    sa.Column('level', sa.Enum('low', 'moderate', 'high', 'crisis', name='risklevel', native_enum=False, length=20), nullable=False),
    sa.Column('state', sa.Enum('new', 'acknowledged', 'contacted', 'following_up', 'referred', 'closed', name='casestate', native_enum=False, length=20), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledge_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('contact_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assignee_id', sa.Uuid(), nullable=True),
    sa.Column('previous_case_id', sa.Uuid(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=40), nullable=True),
    sa.Column('reasons', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['staff_accounts.id'], name=op.f('fk_cases_assignee_id_staff_accounts')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_cases_district_id_districts')),
    sa.ForeignKeyConstraint(['previous_case_id'], ['cases.id'], name=op.f('fk_cases_previous_case_id_cases')),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_cases_response_id_responses')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_cases_school_id_schools')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_cases_wave_id_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('response_id', name=op.f('uq_cases_response_id'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_acknowledge_due_at'), ['acknowledge_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_contact_due_at'), ['contact_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_pseudonym'), ['pseudonym'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_wave_id'), ['wave_id'], unique=False)

    op.create_table('outreach',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pseudonym', sa.String(length=32), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Uuid(), nullable=False),
    sa.Column('state', sa.Enum('offered', 'requested', 'taken_up', name='outreachstate', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_outreach_case_id_cases')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_outreach_district_id_districts')),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_outreach_response_id_responses')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_outreach_school_id_schools')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_outreach_wave_id_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach')),
    sa.UniqueConstraint('response_id', name=op.f('uq_outreach_response_id'))
    )
    with op.batch_alter_table('outreach', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_pseudonym'), ['pseudonym'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_wave_id'), ['wave_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outreach', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_wave_id'))
        batch_op.drop_index(batch_op.f('ix_outreach_state'))
        batch_op.drop_index(batch_op.f('ix_outreach_school_id'))
        batch_op.drop_index(batch_op.f('ix_outreach_pseudonym'))
        batch_op.drop_index(batch_op.f('ix_outreach_district_id'))

    op.drop_table('outreach')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_wave_id'))
        batch_op.drop_index(batch_op.f('ix_cases_state'))
        batch_op.drop_index(batch_op.f('ix_cases_school_id'))
        batch_op.drop_index(batch_op.f('ix_cases_pseudonym'))
        batch_op.drop_index(batch_op.f('ix_cases_district_id'))
        batch_op.drop_index(batch_op.f('ix_cases_contact_due_at'))
        batch_op.drop_index(batch_op.f('ix_cases_assignee_id'))
        batch_op.drop_index(batch_op.f('ix_cases_acknowledge_due_at'))

    op.drop_table('cases')
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responses_wave_id'))
        batch_op.drop_index(batch_op.f('ix_responses_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_responses_school_id'))
        batch_op.drop_index(batch_op.f('ix_responses_risk_level'))
        batch_op.drop_index(batch_op.f('ix_responses_pseudonym'))

    op.drop_table('responses')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_wave_id'))
        batch_op.drop_index(batch_op.f('ix_invitations_teacher_id'))
        batch_op.drop_index(batch_op.f('ix_invitations_status'))
        batch_op.drop_index(batch_op.f('ix_invitations_school_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('wave_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wave_units_wave_id'))

    op.drop_table('wave_units')
    op.drop_table('waves')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_state'))
        batch_op.drop_index(batch_op.f('ix_notifications_next_attempt_at'))

    op.drop_table('notifications')
