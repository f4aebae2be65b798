"""工作任务: a task's recurring progress reports (a schedule) and the reminder offsets of its deadlines

Revision ID: levels2_task_progress
Revises: web2_matrix_indexes
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'levels2_task_progress'
down_revision: str | Sequence[str] | None = 'web2_matrix_indexes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added in place (SQLite: no batch copy of `task`, which task_unit and task_report reference).
    op.add_column('task', sa.Column('progress', sa.JSON(), nullable=True))
    op.add_column('task', sa.Column('reminders', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('reminders')
        batch_op.drop_column('progress')
