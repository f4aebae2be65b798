"""notices: coordinators' filing-notice choice, announcements with receipts (通知 + 回执), campaign group chats

Revision ID: uxnotice_notices
Revises: rel2_probe_floor
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'uxnotice_notices'
down_revision: str | Sequence[str] | None = 'rel2_probe_floor'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('group_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_post')),
    sa.UniqueConstraint('chat_id', 'key', name=op.f('uq_group_post_chat_id_key'))
    )
    op.create_table('announcement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('attachment_ids', sa.JSON(), nullable=False),
    sa.Column('tag', sa.String(length=100), nullable=True),
    sa.Column('unit_ids', sa.JSON(), nullable=False),
    sa.Column('created_by_person_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_person_id'], ['person.id'], name=op.f('fk_announcement_created_by_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement'))
    )
    op.create_table('campaign_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('added_by_person_id', sa.Integer(), nullable=True),
    sa.Column('posting', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_person_id'], ['person.id'], name=op.f('fk_campaign_group_added_by_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_group'))
    )
    with op.batch_alter_table('campaign_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_group_chat_id'), ['chat_id'], unique=True)

    op.create_table('notice_pref',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('filings', sa.String(length=16), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_notice_pref_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_pref')),
    sa.UniqueConstraint('person_id', name=op.f('uq_notice_pref_person_id'))
    )
    op.create_table('announcement_receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcement.id'], name=op.f('fk_announcement_receipt_announcement_id_announcement')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_announcement_receipt_person_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_announcement_receipt_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_receipt')),
    sa.UniqueConstraint('announcement_id', 'unit_id', 'person_id', name=op.f('uq_announcement_receipt_announcement_id_unit_id_person_id'))
    )
    with op.batch_alter_table('announcement_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_receipt_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('announcement_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_receipt_person_id'))

    op.drop_table('announcement_receipt')
    op.drop_table('notice_pref')
    with op.batch_alter_table('campaign_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_group_chat_id'))

    op.drop_table('campaign_group')
    op.drop_table('announcement')
    op.drop_table('group_post')
