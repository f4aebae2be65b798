"""reminder_sent unique per (due item, unit, person, moment): a liaison of two units gets both reminders

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The old key is stricter than the new one, so every existing row fits. The partial unique
    # index for rows without a due item (digests: person, moment) is untouched.
    with op.batch_alter_table('reminder_sent', schema=None) as batch_op:
        batch_op.drop_constraint('uq_reminder_sent_due_item_id_person_id_moment_key', type_='unique')
        batch_op.create_unique_constraint(
            'uq_reminder_sent_due_item_id_unit_id_person_id_moment_key', ['due_item_id', 'unit_id', 'person_id', 'moment_key']
        )


def downgrade() -> None:
    # The old key cannot hold a person's reminders of one moment for two units: keep the first
    # (lowest id) of each (due item, person, moment), as the old code would have sent only it.
    op.execute(sa.text(
        'DELETE FROM reminder_sent WHERE due_item_id IS NOT NULL AND id NOT IN ('
        'SELECT MIN(id) FROM reminder_sent WHERE due_item_id IS NOT NULL GROUP BY due_item_id, person_id, moment_key)'
    ))
    with op.batch_alter_table('reminder_sent', schema=None) as batch_op:
        batch_op.drop_constraint('uq_reminder_sent_due_item_id_unit_id_person_id_moment_key', type_='unique')
        batch_op.create_unique_constraint('uq_reminder_sent_due_item_id_person_id_moment_key', ['due_item_id', 'person_id', 'moment_key'])
