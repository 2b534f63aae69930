import enum
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.core.money import MONEY
from dispatch.core.time import UtcDateTime, company_today, utcnow
from dispatch.core.tokens import SharedByLink
from dispatch.customers.models import Customer
from dispatch.extensions import db


class InvoiceStatus(enum.StrEnum):
    ISSUED = "issued"
    SENT = "sent"
    VIEWED = "viewed"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    DISPUTED = "disputed"
    VOID = "void"


LINK_DAYS_AFTER_SETTLED = 90
OPEN_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.SENT, InvoiceStatus.VIEWED, InvoiceStatus.PARTIALLY_PAID)


class InvoiceKind(enum.StrEnum):
    WORK = "work"
    LATE_FEE = "late_fee"


class LineKind(enum.StrEnum):
    LABOR = "labor"
    PART = "part"
    MILEAGE = "mileage"
    LATE_FEE = "late_fee"


class Invoice(SharedByLink, db.Model):
    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint(
            "status IN ('issued', 'sent', 'viewed', 'partially_paid', 'paid', 'disputed', 'void')", name="status_known"
        ),
        CheckConstraint("kind IN ('work', 'late_fee')", name="kind_known"),
        CheckConstraint("due_date >= issue_date", name="due_on_or_after_issue"),
        # SQLite keeps NUMERIC as binary floating point: compare to within half a cent.
        CheckConstraint("abs(total - subtotal - tax) < 0.005", name="total_adds_up"),
        # Nothing is ever paid, credited or discounted beyond what was invoiced.
        CheckConstraint(
            "amount_paid >= 0 AND amount_credited >= 0 AND discount_taken >= 0 "
            "AND amount_paid + amount_credited + discount_taken <= total + 0.005",
            name="settled_within_total",
        ),
        # One late-fee invoice per overdue invoice and period: the late-fee job may run twice.
        UniqueConstraint("late_fee_for_id", "late_fee_period"),
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
    # Indexed: reminders, late fees and the overdue list all start from it.
    due_date: Mapped[date] = mapped_column(index=True)
    subtotal: Mapped[Decimal] = mapped_column(MONEY)
    # The rate of the day it was issued: a later change of rate does not rewrite it.
    tax_rate_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    tax: Mapped[Decimal] = mapped_column(MONEY)
    total: Mapped[Decimal] = mapped_column(MONEY)
    amount_paid: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    amount_credited: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"), server_default="0")
    # The early-payment discount given when a qualifying payment settled the invoice.
    discount_taken: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"), server_default="0")
    kind: Mapped[str] = mapped_column(String(20), default=InvoiceKind.WORK, server_default=InvoiceKind.WORK)
    late_fee_for_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    late_fee_period: Mapped[int | None]
    # The customer's secret link (/i/<token>, SharedByLink) is made as the invoice is issued and reaches them by email.
    # A settled invoice's link stops working a while after: nothing left to pay, nothing kept on show.
    link_expires_on: Mapped[date | None]
    view_count: Mapped[int] = mapped_column(default=0, server_default="0")
    first_viewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    void_reason: Mapped[str | None] = mapped_column(Text)
    # What the invoice was when a dispute opened: a rejected dispute puts it back.
    status_before_dispute: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship()
    lines: Mapped[list["InvoiceLine"]] = relationship(order_by="InvoiceLine.position", back_populates="invoice")
    emails: Mapped[list["InvoiceEmail"]] = relationship(order_by="InvoiceEmail.id", back_populates="invoice")
    payments: Mapped[list["Payment"]] = relationship(order_by="Payment.id", back_populates="invoice")
    credit_notes: Mapped[list["CreditNote"]] = relationship(order_by="CreditNote.id", back_populates="invoice")
    disputes: Mapped[list["Dispute"]] = relationship(order_by="Dispute.id", viewonly=True)
    reminders: Mapped[list["Reminder"]] = relationship(order_by="Reminder.id")

    @property
    def balance_due(self) -> Decimal:
        if self.status == InvoiceStatus.VOID:
            return Decimal("0.00")
        return self.total - self.amount_credited - self.discount_taken - self.amount_paid

    @property
    def is_emailed(self) -> bool:
        return any(email.sent_at for email in self.emails)

    @property
    def is_open(self) -> bool:
        """Still to be paid, and nothing holds collection (paid, void and disputed invoices are not chased)."""
        return self.status in OPEN_STATUSES and self.balance_due > 0

    def is_overdue(self, today: date) -> bool:
        """Overdue is never stored: it is an open invoice past its due date."""
        return self.is_open and today > self.due_date

    def refresh_status(self) -> None:
        """Put the status in line with the payments, credits and deliveries: call after any of them changes.

        A void invoice stays void; a disputed one stays disputed, and what it will go
        back to if the dispute is rejected is kept up to date instead.
        """
        if self.status == InvoiceStatus.VOID:
            return
        if self.balance_due <= 0:
            settled = InvoiceStatus.PAID
        elif self.amount_paid > 0:
            settled = InvoiceStatus.PARTIALLY_PAID
        elif self.first_viewed_at is not None:
            settled = InvoiceStatus.VIEWED
        elif self.is_emailed:
            settled = InvoiceStatus.SENT
        else:
            settled = InvoiceStatus.ISSUED
        if self.status == InvoiceStatus.DISPUTED:
            self.status_before_dispute = settled
        else:
            self.status = settled
        self.keep_link_while_open()

    def keep_link_while_open(self) -> None:
        """The customer's link lasts while there is anything to pay, and LINK_DAYS_AFTER_SETTLED more."""
        if self.status in (InvoiceStatus.PAID, InvoiceStatus.VOID):
            self.link_expires_on = self.link_expires_on or company_today() + timedelta(days=LINK_DAYS_AFTER_SETTLED)
        else:
            self.link_expires_on = None


class InvoiceLine(db.Model):
    __tablename__ = "invoice_lines"
    __table_args__ = (CheckConstraint("kind IN ('labor', 'part', 'mileage', 'late_fee')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    is_taxable: Mapped[bool]
    # Phone, remote, on-site or travel, for a labour line: what the owner's profit by kind of labour counts.
    labour_kind: Mapped[str | None] = mapped_column(String(20))

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


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    CHECK = "check"
    CARD = "card"
    BANK_TRANSFER = "bank_transfer"
    ONLINE = "online"


class Payment(db.Model):
    """Money received against an invoice. Never deleted: a mistake is reversed, with a reason."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("method IN ('cash', 'check', 'card', 'bank_transfer', 'online')", name="method_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(120))
    received_on: Mapped[date] = mapped_column(index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    reversed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reversal_reason: Mapped[str | None] = mapped_column(Text)
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    invoice: Mapped[Invoice] = relationship(back_populates="payments")


class CreditNote(db.Model):
    """A correction to an issued invoice: the invoice stays as it was, the credit is its own document."""

    __tablename__ = "credit_notes"
    __table_args__ = (
        CheckConstraint("total > 0", name="total_positive"),
        CheckConstraint("abs(total - subtotal - tax) < 0.005", name="total_adds_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    issue_date: Mapped[date] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(Text)
    subtotal: Mapped[Decimal] = mapped_column(MONEY)
    tax: Mapped[Decimal] = mapped_column(MONEY)
    total: Mapped[Decimal] = mapped_column(MONEY)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    invoice: Mapped[Invoice] = relationship(back_populates="credit_notes")


class InvoiceView(db.Model):
    """One opening of the customer's link to an invoice."""

    __tablename__ = "invoice_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    viewed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    user_agent: Mapped[str | None] = mapped_column(String(300))


class DisputeOutcome(enum.StrEnum):
    UPHELD = "upheld"
    REJECTED = "rejected"


class Dispute(db.Model):
    __tablename__ = "disputes"
    __table_args__ = (CheckConstraint("outcome IN ('upheld', 'rejected')", name="outcome_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    # None when the customer opened it through their link.
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    respond_by: Mapped[date]
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))
    credit_note_id: Mapped[int | None] = mapped_column(ForeignKey("credit_notes.id"))

    notes: Mapped[list["DisputeNote"]] = relationship(order_by="DisputeNote.id", back_populates="dispute")


class DisputeNote(db.Model):
    """The dispute's timeline: what each side said, and when."""

    __tablename__ = "dispute_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id"), index=True)
    # None when the customer wrote it.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)

    dispute: Mapped[Dispute] = relationship(back_populates="notes")


class Reminder(db.Model):
    """A payment reminder sent for an invoice; at most one per invoice per day."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("invoice_id", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    # Days from the due date: -3 is three days before, 7 a week after.
    days_from_due: Mapped[int]
    sent_on: Mapped[date]
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    message_id: Mapped[str | None] = mapped_column(String(255))
