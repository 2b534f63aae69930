"""The customer's statement and the dispatcher's invoice list."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from dispatch.core.time import company_date, company_today
from dispatch.extensions import db
from dispatch.invoicing.models import OPEN_STATUSES, CreditNote, Invoice, InvoiceStatus, Payment

LIST_LIMIT = 500
LISTED_WITH_INVOICE = (
    Invoice.customer, Invoice.lines, Invoice.emails, Invoice.payments, Invoice.credit_notes, Invoice.reminders,
)


def find_invoices(status: str | None = None, customer_id: int | None = None, is_overdue: bool | None = None) -> list[Invoice]:
    """Invoices, newest first; "overdue" is worked out from due date and balance, as it is never stored."""
    query = (
        select(Invoice)
        # Everything the list shows of each invoice, in one query per kind rather than per invoice.
        .options(*(selectinload(related) for related in LISTED_WITH_INVOICE))
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
        .limit(LIST_LIMIT)
    )
    if status is not None:
        query = query.where(Invoice.status == status)
    if customer_id is not None:
        query = query.where(Invoice.customer_id == customer_id)
    if is_overdue is not None:
        overdue = and_(
            Invoice.status.in_(OPEN_STATUSES),
            Invoice.due_date < company_today(),
            Invoice.total - Invoice.amount_credited - Invoice.discount_taken - Invoice.amount_paid > 0,
        )
        query = query.where(overdue if is_overdue else ~overdue)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class StatementEntry:
    on: date
    document: str
    description: str
    amount: Decimal  # what it adds to what the customer owes (negative: takes off)
    balance: Decimal = Decimal("0.00")


def customer_statement(customer_id: int) -> list[StatementEntry]:
    """Everything billed, credited, paid and voided for a customer, with the running balance."""
    invoices = db.session.scalars(select(Invoice).where(Invoice.customer_id == customer_id)).all()
    entries = []
    for invoice in invoices:
        entries.append(StatementEntry(invoice.issue_date, invoice.number, "Invoice", invoice.total))
        if invoice.status == InvoiceStatus.VOID:
            entries.append(StatementEntry(company_date(invoice.voided_at), invoice.number, f"Void: {invoice.void_reason}", -invoice.total))
        if invoice.discount_taken:
            entries.append(StatementEntry(invoice.issue_date, invoice.number, "Early-payment discount", -invoice.discount_taken))
    credit_notes = db.session.scalars(select(CreditNote).where(CreditNote.customer_id == customer_id)).all()
    entries += [StatementEntry(note.issue_date, note.number, f"Credit: {note.reason}", -note.total) for note in credit_notes]
    payments = db.session.execute(
        select(Payment, Invoice.number).join(Invoice).where(Invoice.customer_id == customer_id)
    ).all()
    for payment, number in payments:
        entries.append(StatementEntry(payment.received_on, number, f"Payment ({payment.method})", -payment.amount))
        if payment.reversed_at is not None:
            entries.append(
                StatementEntry(company_date(payment.reversed_at), number, f"Payment reversed: {payment.reversal_reason}", payment.amount)
            )
    balance = Decimal("0.00")
    statement = []
    # By date; on one day, in the order built: invoices before what was credited or paid on them.
    for entry in sorted(entries, key=lambda entry: entry.on):
        balance += entry.amount
        statement.append(StatementEntry(entry.on, entry.document, entry.description, entry.amount, balance))
    return statement
