"""The audit log: who changed money, stock and pay; customers' links no longer stored in plain.

An invoice's or estimate's link token is now the record's seed signed with SECRET_KEY, and only the
token's SHA-256 is stored. Links already emailed keep working (their digest is kept); such a record
gets a signed link the next time it is sent. Downgrading cannot bring the old tokens back: it gives
estimates new random ones and invoices none, so links emailed before stop working.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22

"""
import hashlib
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.CheckConstraint("kind IN ('money', 'stock', 'pay')", name=op.f('ck_audit_entries_kind_known')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_entries_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_recorded_at'), ['recorded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_user_id'), ['user_id'], unique=False)

    for table in ('invoices', 'estimates'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('link_seed', sa.String(length=32), nullable=True))
            batch_op.add_column(sa.Column('link_digest', sa.String(length=64), nullable=True))
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_link_digest'), ['link_digest'])
        _keep_old_links_working(table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_view_token'), type_='unique')
            batch_op.drop_column('view_token')


def _keep_old_links_working(table):
    records = sa.table(table, sa.column('id', sa.Integer), sa.column('view_token', sa.String), sa.column('link_digest', sa.String))
    connection = op.get_bind()
    for id_, token in connection.execute(sa.select(records.c.id, records.c.view_token).where(records.c.view_token.isnot(None))):
        digest = hashlib.sha256(token.encode()).hexdigest()
        connection.execute(records.update().where(records.c.id == id_).values(link_digest=digest))


def downgrade():
    for table, nullable in (('estimates', False), ('invoices', True)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('view_token', sa.String(length=64), nullable=True))
        if not nullable:
            records = sa.table(table, sa.column('id', sa.Integer), sa.column('view_token', sa.String))
            connection = op.get_bind()
            for (id_,) in connection.execute(sa.select(records.c.id)).all():
                connection.execute(records.update().where(records.c.id == id_).values(view_token=secrets.token_urlsafe(32)))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('view_token', existing_type=sa.String(length=64), nullable=nullable)
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_view_token'), ['view_token'])
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_link_digest'), type_='unique')
            batch_op.drop_column('link_digest')
            batch_op.drop_column('link_seed')

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_recorded_at'))

    op.drop_table('audit_entries')
