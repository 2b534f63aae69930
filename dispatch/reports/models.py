import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.core.money import MONEY
from dispatch.core.time import UtcDateTime, utcnow
from dispatch.extensions import db


class MonthlyProfitReport(db.Model):
    """The owner's number for one calendar month, as last computed; recomputing replaces it."""

    __tablename__ = "monthly_profit_reports"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    revenue: Mapped[Decimal] = mapped_column(MONEY)
    parts_cost: Mapped[Decimal] = mapped_column(MONEY)
    labor_cost: Mapped[Decimal] = mapped_column(MONEY)
    mileage_cost: Mapped[Decimal] = mapped_column(MONEY)
    expenses: Mapped[Decimal] = mapped_column(MONEY)
    net_profit: Mapped[Decimal] = mapped_column(MONEY)
    cash_received: Mapped[Decimal] = mapped_column(MONEY)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # When the report went to the owner by email: once a month, however often it is recomputed.
    emailed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ExpenseCategory(enum.StrEnum):
    RENT = "rent"
    FUEL = "fuel"
    VEHICLES = "vehicles"
    INSURANCE = "insurance"
    TOOLS = "tools"
    UTILITIES = "utilities"
    SOFTWARE = "software"
    MARKETING = "marketing"
    OTHER = "other"


class Expense(db.Model):
    """What the business spent beside parts and pay. A monthly one counts in every month from spent_on to ends_on."""

    __tablename__ = "expenses"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "category IN ('rent', 'fuel', 'vehicles', 'insurance', 'tools', 'utilities', 'software', 'marketing', 'other')",
            name="category_known",
        ),
        CheckConstraint("ends_on IS NULL OR (is_monthly AND ends_on >= spent_on)", name="only_monthly_ones_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    spent_on: Mapped[date] = mapped_column(index=True)
    note: Mapped[str | None] = mapped_column(Text)
    is_monthly: Mapped[bool] = mapped_column(default=False)
    ends_on: Mapped[date | None]
    receipt_path: Mapped[str | None] = mapped_column(String(255))
    receipt_type: Mapped[str | None] = mapped_column(String(50))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
