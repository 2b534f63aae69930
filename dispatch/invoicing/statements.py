"""The customer's statement and the dispatcher's invoice list."""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import selectinload

from dispatch.core.time import company_date, company_today
from dispatch.extensions import db
from dispatch.invoicing.models import OPEN_STATUSES, CreditNote, Invoice, InvoiceStatus, Payment

LIST_LIMIT = 500
LISTED_WITH_INVOICE = (
    Invoice.customer, Invoice.lines, Invoice.emails, Invoice.payments, Invoice.credit_notes, Invoice.reminders,
)


# Accounts receivable by days past due: (name, fewest days, most days); None is open-ended.
AGES = (("current", None, 0), ("1-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None))
BALANCE = Invoice.total - Invoice.amount_credited - Invoice.discount_taken - Invoice.amount_paid


def find_invoices(**filters) -> list[Invoice]:
    """The first LIST_LIMIT of invoices_query(**filters), for the office's page."""
    return list(db.session.scalars(invoices_query(**filters).limit(LIST_LIMIT)))


def invoices_query(
    status: str | None = None,
    customer_id: int | None = None,
    is_overdue: bool | None = None,
    issued_in: tuple[date, date] | None = None,
    age: str | None = None,
) -> Select:
    """Invoices, newest first (the API reads them a page at a time); "overdue" is worked out from due date and
    balance, as it is never stored."""
    query = (
        select(Invoice)
        # Everything the list shows of each invoice, in one query per kind rather than per invoice.
        .options(*(selectinload(related) for related in LISTED_WITH_INVOICE))
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
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
    if issued_in is not None:
        query = query.where(Invoice.issue_date.between(*issued_in))
    if age is not None:
        query = query.where(_open_receivable(), *_aged(age, company_today()))
    return query


def receivables_by_age(today: date) -> dict[str, Decimal]:
    """What customers owe on open invoices, by how many days past due it is, in one query."""
    days_past_due = [func.sum(BALANCE).filter(*_aged(name, today)) for name, _, _ in AGES]
    totals = db.session.execute(select(*days_past_due).where(_open_receivable())).one()
    return {name: Decimal(str(total)).quantize(Decimal("0.01")) if total is not None else Decimal("0.00") for (name, _, _), total in zip(AGES, totals)}


def _open_receivable():
    # A disputed invoice is not chased, but it is still owed until the dispute says otherwise.
    return and_(Invoice.status.in_((*OPEN_STATUSES, InvoiceStatus.DISPUTED)), BALANCE > 0)


def _aged(name: str, today: date) -> tuple:
    """Due-date conditions for an age bucket: 1–30 days past due is due between 30 and 1 days before today."""
    _, fewest, most = next(age for age in AGES if age[0] == name)
    conditions = []
    if fewest is not None:
        conditions.append(Invoice.due_date <= today - timedelta(days=fewest))
    if most is not None:
        conditions.append(Invoice.due_date >= today - timedelta(days=most))
    return tuple(conditions)


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
