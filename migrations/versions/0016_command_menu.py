"""command menus set per chat, recorded: a restart republishes only the menus that changed

Revision ID: perf5_command_menu
Revises: uxnotice_notices
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'perf5_command_menu'
down_revision: str | Sequence[str] | None = 'uxnotice_notices'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('command_menu',
    sa.Column('telegram_user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('telegram_user_id', name=op.f('pk_command_menu'))
    )


def downgrade() -> None:
    op.drop_table('command_menu')
