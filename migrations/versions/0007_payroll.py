"""Payroll: pay rules with effective dates, overtime, commission, mileage, bonuses and deductions;
pay periods (a company setting), payroll runs and pay statements; reversals of voided work.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pay_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('hourly_rate', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('overtime_multiplier', sa.Numeric(precision=4, scale=2), nullable=False),
    sa.Column('weekly_overtime_after_hours', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('daily_overtime_after_hours', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('labour_commission_percent', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('parts_commission_percent', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('mileage_rate', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(weekly_overtime_after_hours IS NULL OR weekly_overtime_after_hours > 0) AND (daily_overtime_after_hours IS NULL OR daily_overtime_after_hours > 0)', name=op.f('ck_pay_rules_overtime_thresholds_positive')),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= effective_on', name=op.f('ck_pay_rules_ends_after_it_starts')),
    sa.CheckConstraint('hourly_rate >= 0 AND mileage_rate >= 0', name=op.f('ck_pay_rules_rates_not_negative')),
    sa.CheckConstraint('labour_commission_percent >= 0 AND labour_commission_percent <= 100 AND parts_commission_percent >= 0 AND parts_commission_percent <= 100', name=op.f('ck_pay_rules_commission_range')),
    sa.CheckConstraint('overtime_multiplier >= 1', name=op.f('ck_pay_rules_overtime_multiplier_at_least_one')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pay_rules_created_by_id_users')),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_pay_rules_technician_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pay_rules')),
    sa.UniqueConstraint('technician_id', 'effective_on', name='uq_pay_rules_technician_id_effective_on')
    )
    with op.batch_alter_table('pay_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pay_rules_technician_id'), ['technician_id'], unique=False)

    op.create_table('payroll_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('run_by_id', sa.Integer(), nullable=False),
    sa.Column('run_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_payroll_runs_ends_after_it_starts')),
    sa.ForeignKeyConstraint(['run_by_id'], ['users.id'], name=op.f('fk_payroll_runs_run_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payroll_runs')),
    sa.UniqueConstraint('ends_on', name=op.f('uq_payroll_runs_ends_on')),
    sa.UniqueConstraint('starts_on', name=op.f('uq_payroll_runs_starts_on'))
    )
    op.create_table('pay_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payroll_run_id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['payroll_run_id'], ['payroll_runs.id'], name=op.f('fk_pay_statements_payroll_run_id_payroll_runs')),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_pay_statements_technician_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pay_statements')),
    sa.UniqueConstraint('payroll_run_id', 'technician_id', name='uq_pay_statements_payroll_run_id_technician_id')
    )
    with op.batch_alter_table('pay_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pay_statements_payroll_run_id'), ['payroll_run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pay_statements_technician_id'), ['technician_id'], unique=False)

    with op.batch_alter_table('company_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pay_frequency', sa.String(length=20), server_default='biweekly', nullable=False))
        batch_op.add_column(sa.Column('pay_period_anchor_on', sa.Date(), server_default='2026-01-05', nullable=False))
        batch_op.create_check_constraint('pay_frequency_known', "pay_frequency IN ('weekly', 'biweekly', 'semimonthly')")

    with op.batch_alter_table('pay_accruals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('miles', sa.Numeric(precision=8, scale=1), nullable=True))
        batch_op.add_column(sa.Column('worked_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reverses_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pay_statement_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('entered_by_id', sa.Integer(), nullable=True))
        batch_op.alter_column('rate',
               existing_type=sa.NUMERIC(precision=12, scale=2),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_pay_accruals_pay_statement_id'), ['pay_statement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pay_accruals_worked_on'), ['worked_on'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_pay_accruals_reverses_id'), ['reverses_id'])
        batch_op.create_foreign_key(batch_op.f('fk_pay_accruals_entered_by_id_users'), 'users', ['entered_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_pay_accruals_pay_statement_id_pay_statements'), 'pay_statements', ['pay_statement_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_pay_accruals_reverses_id_pay_accruals'), 'pay_accruals', ['reverses_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_pay_accruals_kind_known'), type_='check')
        batch_op.create_check_constraint(
            'kind_known', "kind IN ('regular', 'overtime', 'commission', 'mileage', 'bonus', 'deduction')"
        )

    # Lines accrued before payroll were worked the day they accrued.
    op.execute("UPDATE pay_accruals SET worked_on = accrued_on")
    with op.batch_alter_table('pay_accruals', schema=None) as batch_op:
        batch_op.alter_column('worked_on', existing_type=sa.Date(), nullable=False)



def downgrade():
    # Only the kinds the earlier schema knew survive going back; their amounts are kept as they were.
    op.execute(
        "DELETE FROM pay_accruals WHERE kind NOT IN ('regular', 'mileage') OR rate IS NULL OR reverses_id IN "
        "(SELECT id FROM pay_accruals WHERE kind NOT IN ('regular', 'mileage') OR rate IS NULL)"
    )
    with op.batch_alter_table('pay_accruals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_pay_accruals_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', "kind IN ('regular', 'mileage')")
        batch_op.drop_constraint(batch_op.f('fk_pay_accruals_reverses_id_pay_accruals'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_pay_accruals_pay_statement_id_pay_statements'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_pay_accruals_entered_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_pay_accruals_reverses_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_pay_accruals_worked_on'))
        batch_op.drop_index(batch_op.f('ix_pay_accruals_pay_statement_id'))
        batch_op.alter_column('rate',
               existing_type=sa.NUMERIC(precision=12, scale=2),
               nullable=False)
        batch_op.drop_column('entered_by_id')
        batch_op.drop_column('pay_statement_id')
        batch_op.drop_column('reverses_id')
        batch_op.drop_column('worked_on')
        batch_op.drop_column('miles')
        batch_op.drop_column('description')

    with op.batch_alter_table('company_settings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_company_settings_pay_frequency_known'), type_='check')
        batch_op.drop_column('pay_period_anchor_on')
        batch_op.drop_column('pay_frequency')

    with op.batch_alter_table('pay_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pay_statements_technician_id'))
        batch_op.drop_index(batch_op.f('ix_pay_statements_payroll_run_id'))

    op.drop_table('pay_statements')
    op.drop_table('payroll_runs')
    with op.batch_alter_table('pay_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pay_rules_technician_id'))

    op.drop_table('pay_rules')
