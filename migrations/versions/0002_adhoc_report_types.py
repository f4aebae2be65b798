"""ad-hoc report types (临时报送事项 added with /deadline)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('adhoc_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('template', sa.String(length=32), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('has_time', sa.Boolean(), nullable=False),
    sa.Column('owed_by', sa.JSON(), nullable=False),
    sa.Column('unit_codes', sa.JSON(), nullable=False),
    sa.Column('created_by_person_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_person_id'], ['person.id'], name=op.f('fk_adhoc_report_created_by_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adhoc_report'))
    )
    with op.batch_alter_table('adhoc_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adhoc_report_key'), ['key'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('adhoc_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adhoc_report_key'))
    op.drop_table('adhoc_report')
