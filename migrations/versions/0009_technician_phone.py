"""The technician's phone: the customer's sign-off and photos of the job on a work order.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_order_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_orders.id'], name=op.f('fk_job_photos_work_order_id_work_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_photos'))
    )
    with op.batch_alter_table('job_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_photos_work_order_id'), ['work_order_id'], unique=False)

    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_by', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('signature_path', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_column('signed_at')
        batch_op.drop_column('signature_path')
        batch_op.drop_column('signed_by')

    with op.batch_alter_table('job_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_photos_work_order_id'))

    op.drop_table('job_photos')
