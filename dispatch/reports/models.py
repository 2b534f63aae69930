from datetime import datetime
from decimal import Decimal

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.core.money import MONEY
from dispatch.core.time import UtcDateTime
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
