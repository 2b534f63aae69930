import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.core.money import MONEY
from dispatch.extensions import db


class PayFrequency(enum.StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    SEMIMONTHLY = "semimonthly"


class CompanySettings(db.Model):
    """The one row of company-wide settings, created by the first migration."""

    __tablename__ = "company_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("tax_rate_percent >= 0 AND tax_rate_percent < 100", name="tax_rate_range"),
        CheckConstraint(
            "labor_rate_onsite >= 0 AND labor_rate_remote >= 0 AND labor_rate_phone >= 0 "
            "AND labor_rate_travel >= 0 AND mileage_rate >= 0",
            name="rates_not_negative",
        ),
        CheckConstraint("default_payment_terms_days >= 0", name="payment_terms_not_negative"),
        CheckConstraint(
            "early_payment_discount_percent >= 0 AND early_payment_discount_percent < 100 "
            "AND early_payment_discount_days >= 0",
            name="early_payment_discount_range",
        ),
        CheckConstraint(
            "late_fee_flat >= 0 AND late_fee_percent >= 0 AND late_fee_period_days > 0 "
            "AND (late_fee_cap IS NULL OR late_fee_cap >= 0)",
            name="late_fee_range",
        ),
        CheckConstraint("dispute_respond_days > 0", name="dispute_respond_days_positive"),
        CheckConstraint("pay_frequency IN ('weekly', 'biweekly', 'semimonthly')", name="pay_frequency_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    tax_rate_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    # What the customer is billed per hour, by kind of labour.
    labor_rate_onsite: Mapped[Decimal] = mapped_column(MONEY)
    labor_rate_remote: Mapped[Decimal] = mapped_column(MONEY)
    labor_rate_phone: Mapped[Decimal] = mapped_column(MONEY)
    labor_rate_travel: Mapped[Decimal] = mapped_column(MONEY)
    mileage_rate: Mapped[Decimal] = mapped_column(MONEY)
    # Whether labour and mileage lines are taxed; parts carry their own flag.
    is_labor_taxable: Mapped[bool] = mapped_column(default=False, server_default=false())
    default_payment_terms_days: Mapped[int]
    # Getting paid: e.g. 2 % off when paid within 10 days; 0 % means no discount.
    early_payment_discount_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=0, server_default="0")
    early_payment_discount_days: Mapped[int] = mapped_column(default=0, server_default="0")
    # Per period overdue: a flat fee and/or a percent of the balance, all fees together at most the cap.
    late_fee_flat: Mapped[Decimal] = mapped_column(MONEY, default=0, server_default="0")
    late_fee_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=0, server_default="0")
    late_fee_period_days: Mapped[int] = mapped_column(default=30, server_default="30")
    late_fee_cap: Mapped[Decimal | None] = mapped_column(MONEY)
    # Days from the due date on which to remind: before (negative), on (0), after (positive).
    reminder_schedule: Mapped[str] = mapped_column(String(100), default="-3,0,7,14", server_default="-3,0,7,14")
    dispute_respond_days: Mapped[int] = mapped_column(default=7, server_default="7")
    # Payroll: how often technicians are paid. Weekly and bi-weekly periods count from the anchor
    # day (a period's first day); the work week overtime is counted over starts on its weekday.
    pay_frequency: Mapped[str] = mapped_column(String(20), default=PayFrequency.BIWEEKLY, server_default="biweekly")
    pay_period_anchor_on: Mapped[date] = mapped_column(default=date(2026, 1, 5), server_default="2026-01-05")
