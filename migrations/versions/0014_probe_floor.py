"""reminder claims remember the highest message id known in the chat (where a probe for them starts)

Revision ID: rel2_probe_floor
Revises: levels2_task_progress
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'rel2_probe_floor'
down_revision: str | Sequence[str] | None = 'levels2_task_progress'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('reminder_sent', sa.Column('probe_floor', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column('reminder_sent', 'probe_floor')
