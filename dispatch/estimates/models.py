import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.core.errors import Conflict
from dispatch.core.money import MONEY
from dispatch.core.time import UtcDateTime, utcnow
from dispatch.core.tokens import SharedByLink
from dispatch.customers.models import Customer
from dispatch.extensions import db
from dispatch.scheduling.models import Appointment


class EstimateStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"


DECIDED_STATUSES = (EstimateStatus.ACCEPTED, EstimateStatus.DECLINED)


class Estimate(SharedByLink, db.Model):
    """A price offered before the work; accepted through its link, it books the visit."""

    __tablename__ = "estimates"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'sent', 'accepted', 'declined')", name="status_known"),
        CheckConstraint("abs(total - subtotal - tax) < 0.005", name="total_adds_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=EstimateStatus.DRAFT)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("service_sites.id"))
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    visit_minutes: Mapped[int] = mapped_column(default=60)
    issue_date: Mapped[date]
    valid_until: Mapped[date]
    notes: Mapped[str | None] = mapped_column(Text)
    subtotal: Mapped[Decimal] = mapped_column(MONEY)
    tax_rate_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    tax: Mapped[Decimal] = mapped_column(MONEY)
    total: Mapped[Decimal] = mapped_column(MONEY)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship()
    lines: Mapped[list["EstimateLine"]] = relationship(order_by="EstimateLine.position", back_populates="estimate")
    appointment: Mapped[Appointment | None] = relationship()

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES

    def is_expired(self, today: date) -> bool:
        """Valid through its last day, company time; expired from the day after."""
        return today > self.valid_until

    def is_open(self, today: date) -> bool:
        """Still waiting for the customer's answer."""
        return not self.is_decided and not self.is_expired(today)

    def decide(self, status: EstimateStatus, today: date) -> None:
        """The customer's answer, given once, while the estimate is still valid."""
        if self.is_decided:
            raise Conflict(f"Estimate {self.number} was already {self.status}; nothing was changed.")
        if self.is_expired(today):
            raise Conflict(
                f"Estimate {self.number} expired on {self.valid_until.isoformat()}; nothing was changed. "
                "Please ask us for a new estimate."
            )
        self.status = status
        self.decided_at = utcnow()


class EstimateLine(db.Model):
    __tablename__ = "estimate_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    estimate_id: Mapped[int] = mapped_column(ForeignKey("estimates.id"), index=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    is_taxable: Mapped[bool]

    estimate: Mapped[Estimate] = relationship(back_populates="lines")
