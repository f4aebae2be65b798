"""indexes for the dashboard's matrix: the filings waiting for review (submission.status = 'submitted') by
obligation, and obligations by (due item, status, late, unit, id) so the counts need no table rows

Revision ID: web2_matrix_indexes
Revises: 0005_signoff
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'web2_matrix_indexes'
down_revision: str | Sequence[str] | None = '0005_signoff'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    waiting = sa.text("status = 'submitted'")
    op.create_index('ix_submission_waiting', 'submission', ['obligation_id'], unique=False, postgresql_where=waiting, sqlite_where=waiting)
    op.create_index('ix_obligation_item_state', 'obligation', ['due_item_id', 'status', 'late', 'unit_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_obligation_item_state', table_name='obligation')
    op.drop_index('ix_submission_waiting', table_name='submission')
