"""sign-off by the unit head: who approved a submission, and when (statuses and the head role are strings)

Revision ID: 0005_signoff
Revises: 0007_tasks
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005_signoff'
down_revision: str | Sequence[str] | None = '0007_tasks'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


FK = 'fk_submission_signed_off_by_person_id_person'


def upgrade() -> None:
    # New values of stored enums (role 'head', obligation 'awaiting', submission 'pending') fit
    # the existing string columns: only the two sign-off columns are new. Added in place (no batch
    # copy of the table: SQLite would have to drop `submission`, which attachments reference).
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(sa.text(f'ALTER TABLE submission ADD COLUMN signed_off_by_person_id INTEGER CONSTRAINT {FK} REFERENCES person (id)'))
    else:
        op.add_column('submission', sa.Column('signed_off_by_person_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(FK), 'submission', 'person', ['signed_off_by_person_id'], ['id'])
    op.add_column('submission', sa.Column('signed_off_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute(sa.text("UPDATE submission SET status = 'submitted' WHERE status = 'pending'"))
    op.execute(sa.text("UPDATE obligation SET status = 'open' WHERE status = 'awaiting'"))
    op.execute(sa.text("UPDATE role_assignment SET ended_at = CURRENT_TIMESTAMP, ended_reason = 'sign-off removed' WHERE role = 'head' AND ended_at IS NULL"))
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.execute(sa.text('PRAGMA foreign_keys=OFF'))  # the batch copy drops and recreates `submission`
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(FK), type_='foreignkey')
        batch_op.drop_column('signed_off_at')
        batch_op.drop_column('signed_off_by_person_id')
    if sqlite:
        op.execute(sa.text('PRAGMA foreign_keys=ON'))
