"""Client files: contact log and action steps, documents (confidential ones with every read recorded),
file closure, support blocks, milestone billing plans, company vehicles on mileage entries.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('vehicles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('registration', sa.String(length=20), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicles')),
    sa.UniqueConstraint('name', name=op.f('uq_vehicles_name'))
    )
    op.create_table('billing_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('agreed_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('agreed_price > 0', name=op.f('ck_billing_plans_agreed_price_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_billing_plans_created_by_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_billing_plans_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_plans'))
    )
    with op.batch_alter_table('billing_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_plans_customer_id'), ['customer_id'], unique=False)

    op.create_table('client_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('received_from', sa.String(length=200), nullable=True),
    sa.Column('is_confidential', sa.Boolean(), nullable=False),
    sa.Column('stored_path', sa.String(length=300), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_client_documents_added_by_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_client_documents_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_documents'))
    )
    with op.batch_alter_table('client_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_documents_customer_id'), ['customer_id'], unique=False)

    op.create_table('file_closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('referral_source', sa.String(length=200), nullable=True),
    sa.Column('reports_received', sa.Integer(), nullable=False),
    sa.Column('signature', sa.String(length=200), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reopened_by_id', sa.Integer(), nullable=True),
    sa.Column('reopen_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_file_closures_closed_by_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_file_closures_customer_id_customers')),
    sa.ForeignKeyConstraint(['reopened_by_id'], ['users.id'], name=op.f('fk_file_closures_reopened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_file_closures'))
    )
    with op.batch_alter_table('file_closures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_file_closures_customer_id'), ['customer_id'], unique=False)

    op.create_table('document_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('reader_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('was_allowed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['client_documents.id'], name=op.f('fk_document_reads_document_id_client_documents')),
    sa.ForeignKeyConstraint(['reader_id'], ['users.id'], name=op.f('fk_document_reads_reader_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_reads'))
    )
    with op.batch_alter_table('document_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_reads_document_id'), ['document_id'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('participants', sa.String(length=500), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('hourly_rate', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('payer', sa.String(length=20), nullable=False),
    sa.Column('billing', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("billing IN ('now', 'next_invoice')", name=op.f('ck_contacts_billing_known')),
    sa.CheckConstraint("kind IN ('phone', 'email', 'in_person', 'on_site')", name=op.f('ck_contacts_kind_known')),
    sa.CheckConstraint("payer IN ('customer', 'no_charge')", name=op.f('ck_contacts_payer_known')),
    sa.CheckConstraint('hourly_rate >= 0 AND amount >= 0', name=op.f('ck_contacts_money_not_negative')),
    sa.CheckConstraint('minutes > 0 AND minutes <= 1440', name=op.f('ck_contacts_minutes_in_a_day')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_contacts_customer_id_customers')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_contacts_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_contacts_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('billing_plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('po_number', sa.String(length=64), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('reached_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_milestones_amount_positive')),
    sa.ForeignKeyConstraint(['billing_plan_id'], ['billing_plans.id'], name=op.f('fk_milestones_billing_plan_id_billing_plans')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_milestones_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones')),
    sa.UniqueConstraint('billing_plan_id', 'position', name=op.f('uq_milestones_billing_plan_id')),
    sa.UniqueConstraint('invoice_id', name=op.f('uq_milestones_invoice_id'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestones_billing_plan_id'), ['billing_plan_id'], unique=False)

    op.create_table('support_blocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('hours_used', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('hourly_rate', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('po_number', sa.String(length=64), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('sold_by_id', sa.Integer(), nullable=False),
    sa.Column('sold_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ran_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('hourly_rate >= 0', name=op.f('ck_support_blocks_rate_not_negative')),
    sa.CheckConstraint('hours > 0', name=op.f('ck_support_blocks_hours_positive')),
    sa.CheckConstraint('hours_used >= 0 AND hours_used <= hours', name=op.f('ck_support_blocks_used_within_hours')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_support_blocks_customer_id_customers')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_support_blocks_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['sold_by_id'], ['users.id'], name=op.f('fk_support_blocks_sold_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_blocks'))
    )
    with op.batch_alter_table('support_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_blocks_customer_id'), ['customer_id'], unique=False)

    op.create_table('action_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('file', 'request_extension', 'return_call', 'referral')", name=op.f('ck_action_steps_kind_known')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_action_steps_assignee_id_users')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_action_steps_contact_id_contacts')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_action_steps_customer_id_customers')),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_action_steps_done_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_steps'))
    )
    with op.batch_alter_table('action_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_steps_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_steps_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_steps_customer_id'), ['customer_id'], unique=False)

    op.create_table('support_drawdowns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('support_block_id', sa.Integer(), nullable=False),
    sa.Column('work_order_id', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('hours > 0', name=op.f('ck_support_drawdowns_hours_positive')),
    sa.ForeignKeyConstraint(['support_block_id'], ['support_blocks.id'], name=op.f('fk_support_drawdowns_support_block_id_support_blocks')),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_orders.id'], name=op.f('fk_support_drawdowns_work_order_id_work_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_drawdowns'))
    )
    with op.batch_alter_table('support_drawdowns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_drawdowns_support_block_id'), ['support_block_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_drawdowns_work_order_id'), ['work_order_id'], unique=False)

    with op.batch_alter_table('mileage_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vehicle_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_mileage_entries_vehicle_id'), ['vehicle_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_mileage_entries_vehicle_id_vehicles'), 'vehicles', ['vehicle_id'], ['id'])



def downgrade():
    with op.batch_alter_table('mileage_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_mileage_entries_vehicle_id_vehicles'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_mileage_entries_vehicle_id'))
        batch_op.drop_column('vehicle_id')

    with op.batch_alter_table('support_drawdowns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_drawdowns_work_order_id'))
        batch_op.drop_index(batch_op.f('ix_support_drawdowns_support_block_id'))

    op.drop_table('support_drawdowns')
    with op.batch_alter_table('action_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_steps_customer_id'))
        batch_op.drop_index(batch_op.f('ix_action_steps_contact_id'))
        batch_op.drop_index(batch_op.f('ix_action_steps_assignee_id'))

    op.drop_table('action_steps')
    with op.batch_alter_table('support_blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_blocks_customer_id'))

    op.drop_table('support_blocks')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestones_billing_plan_id'))

    op.drop_table('milestones')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_contacts_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_contacts_customer_id'))

    op.drop_table('contacts')
    with op.batch_alter_table('document_reads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_reads_document_id'))

    op.drop_table('document_reads')
    with op.batch_alter_table('file_closures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_file_closures_customer_id'))

    op.drop_table('file_closures')
    with op.batch_alter_table('client_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_documents_customer_id'))

    op.drop_table('client_documents')
    with op.batch_alter_table('billing_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_plans_customer_id'))

    op.drop_table('billing_plans')
    op.drop_table('vehicles')
