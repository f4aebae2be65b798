"""web_token: dashboard login links and browser sessions (only their SHA-256 is stored)

Revision ID: 0005_web_token
Revises: 0005_sync_state
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005_web_token'
down_revision: str | Sequence[str] | None = '0005_sync_state'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('web_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_web_token_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_token'))
    )
    with op.batch_alter_table('web_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_token_token_hash'), ['token_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_web_token_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_token_person_id'))
        batch_op.drop_index(batch_op.f('ix_web_token_token_hash'))
    op.drop_table('web_token')
