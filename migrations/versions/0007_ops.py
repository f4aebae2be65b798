"""operations: updates taken once (processed_update), one poller per bot (poller_lease), the shared flood limit (send_slot)

Revision ID: 0005_ops
Revises: 0005_web_token
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_ops'
down_revision: str | Sequence[str] | None = '0005_web_token'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'processed_update',
        sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('update_id', name=op.f('pk_processed_update')),
    )
    with op.batch_alter_table('processed_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_update_received_at'), ['received_at'], unique=False)
    op.create_table(
        'poller_lease',
        sa.Column('bot_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('holder', sa.String(length=200), nullable=False),
        sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('bot_id', name=op.f('pk_poller_lease')),
    )
    op.create_table(
        'send_slot',
        sa.Column('second', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('used', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('second', name=op.f('pk_send_slot')),
    )


def downgrade() -> None:
    op.drop_table('send_slot')
    op.drop_table('poller_lease')
    with op.batch_alter_table('processed_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_update_received_at'))
    op.drop_table('processed_update')
