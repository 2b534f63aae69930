import enum
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePosixPath

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.auth.models import User
from dispatch.core.money import MONEY
from dispatch.core.time import UtcDateTime, utcnow
from dispatch.extensions import db


class Customer(db.Model):
    __tablename__ = "customers"
    __table_args__ = (CheckConstraint("payment_terms_days >= 0", name="payment_terms_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    # None: the company's default terms apply.
    payment_terms_days: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    sites: Mapped[list["ServiceSite"]] = relationship(back_populates="customer", order_by="ServiceSite.id")


class ServiceSite(db.Model):
    """A place where the work is done: a customer may have several."""

    __tablename__ = "service_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    customer: Mapped[Customer] = relationship(back_populates="sites")


class ContactKind(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    IN_PERSON = "in_person"
    ON_SITE = "on_site"


class Payer(enum.StrEnum):
    CUSTOMER = "customer"
    NO_CHARGE = "no_charge"


class Billing(enum.StrEnum):
    """When a billable contact is invoiced: on its own invoice at once, or on the customer's next one."""

    NOW = "now"
    NEXT_INVOICE = "next_invoice"


class Contact(db.Model):
    """One entry of the contact log: a call, an email, a meeting or a visit, and what it costs."""

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("kind IN ('phone', 'email', 'in_person', 'on_site')", name="kind_known"),
        CheckConstraint("payer IN ('customer', 'no_charge')", name="payer_known"),
        CheckConstraint("billing IN ('now', 'next_invoice')", name="billing_known"),
        CheckConstraint("minutes > 0 AND minutes <= 1440", name="minutes_in_a_day"),
        CheckConstraint("hourly_rate >= 0 AND amount >= 0", name="money_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    participants: Mapped[str] = mapped_column(String(500))
    minutes: Mapped[int]
    hourly_rate: Mapped[Decimal] = mapped_column(MONEY)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    payer: Mapped[str] = mapped_column(String(20))
    billing: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    # Set once it is on an invoice: a contact is billed once, never twice.
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    action_steps: Mapped[list["ActionStep"]] = relationship(order_by="ActionStep.due_on", back_populates="contact")
    recorded_by: Mapped[User] = relationship()

    @property
    def is_billable(self) -> bool:
        return self.payer == Payer.CUSTOMER and self.amount > 0


class ActionStepKind(enum.StrEnum):
    FILE = "file"
    REQUEST_EXTENSION = "request_extension"
    RETURN_CALL = "return_call"
    REFERRAL = "referral"


class ActionStep(db.Model):
    """Something a contact left to do, on its responsible person's list until it is done."""

    __tablename__ = "action_steps"
    __table_args__ = (
        CheckConstraint("kind IN ('file', 'request_extension', 'return_call', 'referral')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(String(500))
    due_on: Mapped[date]
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    contact: Mapped[Contact] = relationship(back_populates="action_steps")
    customer: Mapped[Customer] = relationship()
    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])


class ClientDocument(db.Model):
    """A document in the client file. Confidential ones (third parties' reports) are for the owner
    and the person who added them only, and every reading of them is recorded."""

    __tablename__ = "client_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # Who sent it: the referring physician, the insurer, the previous contractor.
    received_from: Mapped[str | None] = mapped_column(String(200))
    is_confidential: Mapped[bool]
    stored_path: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    added_by: Mapped[User] = relationship()

    @property
    def download_name(self) -> str:
        return f"{self.title}{PurePosixPath(self.stored_path).suffix}"


class DocumentRead(db.Model):
    """One attempt to read a client document: who, when, and whether they were let in."""

    __tablename__ = "document_reads"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("client_documents.id"), index=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    read_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    was_allowed: Mapped[bool]

    reader: Mapped[User] = relationship()


class FileClosure(db.Model):
    """The closing of a client file, with its summary; reopening the file keeps it, marked reopened."""

    __tablename__ = "file_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    visits: Mapped[int]
    referral_source: Mapped[str | None] = mapped_column(String(200))
    reports_received: Mapped[int]
    # The closing person's name as typed, their signature on the summary.
    signature: Mapped[str] = mapped_column(String(200))
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    reopened_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reopen_reason: Mapped[str | None] = mapped_column(Text)

    closed_by: Mapped[User] = relationship(foreign_keys=[closed_by_id])


class SupportBlock(db.Model):
    """Prepaid hours: labour on the customer's work orders draws them down instead of being billed."""

    __tablename__ = "support_blocks"
    __table_args__ = (
        CheckConstraint("hours > 0", name="hours_positive"),
        # Never drawn below zero: what does not fit is invoiced as overage.
        CheckConstraint("hours_used >= 0 AND hours_used <= hours", name="used_within_hours"),
        CheckConstraint("hourly_rate >= 0", name="rate_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    hours_used: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal("0.00"))
    hourly_rate: Mapped[Decimal] = mapped_column(MONEY)
    po_number: Mapped[str] = mapped_column(String(64))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    sold_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sold_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # When the 80 % and the "used up" notices were emailed: each goes out once.
    warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ran_out_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def hours_left(self) -> Decimal:
        return self.hours - self.hours_used


class SupportDrawdown(db.Model):
    """Hours of one work order's labour taken from a support block."""

    __tablename__ = "support_drawdowns"
    __table_args__ = (CheckConstraint("hours > 0", name="hours_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    support_block_id: Mapped[int] = mapped_column(ForeignKey("support_blocks.id"), index=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    drawn_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class BillingPlan(db.Model):
    """A larger job billed in milestones, never beyond its agreed price."""

    __tablename__ = "billing_plans"
    __table_args__ = (CheckConstraint("agreed_price > 0", name="agreed_price_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    agreed_price: Mapped[Decimal] = mapped_column(MONEY)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    milestones: Mapped[list["Milestone"]] = relationship(order_by="Milestone.position", back_populates="plan")

    @property
    def invoiced(self) -> Decimal:
        return sum((milestone.amount for milestone in self.milestones if milestone.invoice_id), Decimal("0.00"))


class Milestone(db.Model):
    __tablename__ = "milestones"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("billing_plan_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    billing_plan_id: Mapped[int] = mapped_column(ForeignKey("billing_plans.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    po_number: Mapped[str | None] = mapped_column(String(64))
    # Set when it is reached and invoiced: each milestone is invoiced once.
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), unique=True)
    reached_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    plan: Mapped[BillingPlan] = relationship(back_populates="milestones")
