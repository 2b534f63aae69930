import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.core.money import MONEY
from dispatch.core.time import UtcDateTime, utcnow
from dispatch.extensions import db


class AccrualKind(enum.StrEnum):
    REGULAR = "regular"
    MILEAGE = "mileage"


class PayAccrual(db.Model):
    """Pay a technician has earned and not yet been paid: one line per kind per work order."""

    __tablename__ = "pay_accruals"
    __table_args__ = (CheckConstraint("kind IN ('regular', 'mileage')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    rate: Mapped[Decimal] = mapped_column(MONEY)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    accrued_on: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
