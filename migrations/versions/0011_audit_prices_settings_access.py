"""The audit log also records part prices and costs, company settings and access (users, API tokens).

Downgrading deletes the entries of those three kinds: the old constraint does not allow them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('money', 'stock', 'pay')"
NEW_KINDS = "kind IN ('money', 'stock', 'pay', 'catalogue', 'settings', 'access')"


def upgrade():
    _replace_kind_check(NEW_KINDS)


def downgrade():
    entries = sa.table('audit_entries', sa.column('kind', sa.String))
    op.execute(entries.delete().where(entries.c.kind.in_(['catalogue', 'settings', 'access'])))
    _replace_kind_check(OLD_KINDS)


def _replace_kind_check(condition):
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_audit_entries_kind_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_audit_entries_kind_known'), condition)
