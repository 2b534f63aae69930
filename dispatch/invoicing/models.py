import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.core.money import MONEY
from dispatch.core.time import UtcDateTime, utcnow
from dispatch.customers.models import Customer
from dispatch.extensions import db


class InvoiceStatus(enum.StrEnum):
    ISSUED = "issued"
    SENT = "sent"


class LineKind(enum.StrEnum):
    LABOR = "labor"
    PART = "part"
    MILEAGE = "mileage"


class Invoice(db.Model):
    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("status IN ('issued', 'sent')", name="status_known"),
        CheckConstraint("due_date >= issue_date", name="due_on_or_after_issue"),
        # SQLite keeps NUMERIC as binary floating point: compare to within half a cent.
        CheckConstraint("abs(total - subtotal - tax) < 0.005", name="total_adds_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=InvoiceStatus.ISSUED)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), unique=True)
    # Printed on the invoice: an issued document keeps what it said.
    work_order_number: Mapped[str | None] = mapped_column(String(32))
    po_number: Mapped[str | None] = mapped_column(String(64))
    issue_date: Mapped[date] = mapped_column(index=True)
    due_date: Mapped[date]
    subtotal: Mapped[Decimal] = mapped_column(MONEY)
    # The rate of the day it was issued: a later change of rate does not rewrite it.
    tax_rate_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    tax: Mapped[Decimal] = mapped_column(MONEY)
    total: Mapped[Decimal] = mapped_column(MONEY)
    amount_paid: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship()
    lines: Mapped[list["InvoiceLine"]] = relationship(order_by="InvoiceLine.position", back_populates="invoice")
    emails: Mapped[list["InvoiceEmail"]] = relationship(order_by="InvoiceEmail.id", back_populates="invoice")

    @property
    def balance_due(self) -> Decimal:
        return self.total - self.amount_paid


class InvoiceLine(db.Model):
    __tablename__ = "invoice_lines"
    __table_args__ = (CheckConstraint("kind IN ('labor', 'part', 'mileage')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    is_taxable: Mapped[bool]

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class InvoiceEmail(db.Model):
    """One request to email an invoice, and what became of it: sent once, or failed visibly."""

    __tablename__ = "invoice_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    message_id: Mapped[str | None] = mapped_column(String(255))
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    failure: Mapped[str | None] = mapped_column(Text)

    invoice: Mapped[Invoice] = relationship(back_populates="emails")
