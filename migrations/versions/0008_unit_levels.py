"""units in levels: unit.parent_id (自治区 → 市 → 县(区)); coordinators may be bound to a unit

Revision ID: 0005_unit_levels
Revises: 0005_ops
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_unit_levels'
down_revision: str | Sequence[str] | None = '0005_ops'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing units stay top level (parent NULL): a flat campaign is unchanged. A coordinator bound
    # to a unit is a role_assignment row with a unit_id, which the table already allows.
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds a nullable column with its reference in place; rebuilding `unit` (batch mode)
        # would be refused by the foreign keys of every table pointing at it.
        op.execute(sa.text('ALTER TABLE unit ADD COLUMN parent_id INTEGER CONSTRAINT fk_unit_parent_id_unit REFERENCES unit (id)'))
        op.create_index(op.f('ix_unit_parent_id'), 'unit', ['parent_id'], unique=False)
        return
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_unit_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_unit_parent_id_unit'), 'unit', ['parent_id'], ['id'])


def downgrade() -> None:
    # On SQLite this rebuilds `unit`, which its foreign key checks refuse while other tables' rows
    # point at it: downgrade a SQLite database past this revision with `PRAGMA foreign_keys = OFF`.
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_unit_parent_id_unit'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_unit_parent_id'))
        batch_op.drop_column('parent_id')
