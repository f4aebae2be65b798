"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('due_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_key', sa.String(length=64), nullable=False),
    sa.Column('period_key', sa.String(length=64), nullable=False),
    sa.Column('period_label', sa.String(length=200), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_due_item')),
    sa.UniqueConstraint('report_key', 'period_key', name=op.f('uq_due_item_report_key_period_key'))
    )
    with op.batch_alter_table('due_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_due_item_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_due_item_report_key'), ['report_key'], unique=False)

    op.create_table('person',
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('title', sa.String(length=100), nullable=True),
    sa.Column('office_phone', sa.String(length=50), nullable=True),
    sa.Column('mobile', sa.String(length=50), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('telegram_user_id', sa.BigInteger(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('first_name', sa.String(length=200), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('reachable', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unreachable_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_telegram_user_id'), ['telegram_user_id'], unique=True)

    op.create_table('unit',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit'))
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_code'), ['code'], unique=True)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_person_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_person_id'], ['person.id'], name=op.f('fk_audit_event_actor_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_actor_person_id'), ['actor_person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)

    op.create_table('draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('flow', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_draft_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft')),
    sa.UniqueConstraint('person_id', 'flow', name=op.f('uq_draft_person_id_flow'))
    )
    op.create_table('invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_by_person_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_by_person_id', sa.Integer(), nullable=True),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_person_id'], ['person.id'], name=op.f('fk_invite_created_by_person_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_invite_unit_id_unit')),
    sa.ForeignKeyConstraint(['used_by_person_id'], ['person.id'], name=op.f('fk_invite_used_by_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invite'))
    )
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invite_token_hash'), ['token_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_invite_unit_id'), ['unit_id'], unique=False)

    op.create_table('obligation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('due_item_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['due_item_id'], ['due_item.id'], name=op.f('fk_obligation_due_item_id_due_item')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_obligation_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obligation')),
    sa.UniqueConstraint('due_item_id', 'unit_id', name=op.f('uq_obligation_due_item_id_unit_id'))
    )
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_obligation_status'), ['status'], unique=False)
        batch_op.create_index('ix_obligation_unit_status', ['unit_id', 'status'], unique=False)

    op.create_table('reminder_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('due_item_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('moment_key', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('telegram_message_id', sa.BigInteger(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['due_item_id'], ['due_item.id'], name=op.f('fk_reminder_sent_due_item_id_due_item')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_reminder_sent_person_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_reminder_sent_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sent')),
    sa.UniqueConstraint('due_item_id', 'person_id', 'moment_key', name=op.f('uq_reminder_sent_due_item_id_person_id_moment_key'))
    )
    with op.batch_alter_table('reminder_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_sent_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_sent_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_sent_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('uq_reminder_sent_person_moment_no_due_item', ['person_id', 'moment_key'], unique=True, sqlite_where=sa.text('due_item_id IS NULL'), postgresql_where=sa.text('due_item_id IS NULL'))

    op.create_table('role_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_reason', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_role_assignment_person_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_role_assignment_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_assignment'))
    )
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_assignment_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_role_assignment_unit_role_active', ['unit_id', 'role', 'ended_at'], unique=False)
        batch_op.create_index('uq_role_assignment_active_primary', ['unit_id'], unique=True, sqlite_where=sa.text("role = 'primary' AND ended_at IS NULL"), postgresql_where=sa.text("role = 'primary' AND ended_at IS NULL"))

    op.create_table('submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('item_no', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reviewed_by_person_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligation.id'], name=op.f('fk_submission_obligation_id_obligation')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_submission_person_id_person')),
    sa.ForeignKeyConstraint(['reviewed_by_person_id'], ['person.id'], name=op.f('fk_submission_reviewed_by_person_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_submission_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission')),
    sa.UniqueConstraint('obligation_id', 'item_no', 'version', name=op.f('uq_submission_obligation_id_item_no_version'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_unit_id'), ['unit_id'], unique=False)

    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('mime_type', sa.String(length=200), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('telegram_file_id', sa.String(length=255), nullable=True),
    sa.Column('storage_path', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_attachment_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_submission_id'), ['submission_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_submission_id'))
        batch_op.drop_index(batch_op.f('ix_attachment_sha256'))

    op.drop_table('attachment')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_unit_id'))
        batch_op.drop_index(batch_op.f('ix_submission_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_submission_status'))
        batch_op.drop_index(batch_op.f('ix_submission_person_id'))

    op.drop_table('submission')
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.drop_index('uq_role_assignment_active_primary', sqlite_where=sa.text("role = 'primary' AND ended_at IS NULL"), postgresql_where=sa.text("role = 'primary' AND ended_at IS NULL"))
        batch_op.drop_index('ix_role_assignment_unit_role_active')
        batch_op.drop_index(batch_op.f('ix_role_assignment_person_id'))

    op.drop_table('role_assignment')
    with op.batch_alter_table('reminder_sent', schema=None) as batch_op:
        batch_op.drop_index('uq_reminder_sent_person_moment_no_due_item', sqlite_where=sa.text('due_item_id IS NULL'), postgresql_where=sa.text('due_item_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_reminder_sent_unit_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_sent_status'))
        batch_op.drop_index(batch_op.f('ix_reminder_sent_person_id'))

    op.drop_table('reminder_sent')
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.drop_index('ix_obligation_unit_status')
        batch_op.drop_index(batch_op.f('ix_obligation_status'))

    op.drop_table('obligation')
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invite_unit_id'))
        batch_op.drop_index(batch_op.f('ix_invite_token_hash'))

    op.drop_table('invite')
    op.drop_table('draft')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_person_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_code'))

    op.drop_table('unit')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_telegram_user_id'))

    op.drop_table('person')
    with op.batch_alter_table('due_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_due_item_report_key'))
        batch_op.drop_index(batch_op.f('ix_due_item_due_at'))

    op.drop_table('due_item')
