"""Issuing invoices and asking for them to be emailed."""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from dispatch.audit import service as audit
from dispatch.audit.models import AuditKind
from dispatch.company.service import company_settings
from dispatch.core.errors import NotFound
from dispatch.core.money import to_cents
from dispatch.core.numbering import next_number
from dispatch.core.time import company_today
from dispatch.core.tx import transactional
from dispatch.customers.models import Customer
from dispatch.extensions import db
from dispatch.invoicing.jobs import email_invoice
from dispatch.invoicing.models import Invoice, InvoiceEmail, InvoiceLine
from dispatch.jobs import request_job

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineDraft:
    """An invoice line before it is priced: amount = quantity × unit price, to the cent."""

    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    is_taxable: bool
    labour_kind: str | None = None

    @property
    def amount(self) -> Decimal:
        return to_cents(self.quantity * self.unit_price)


def tax_on(lines, rate_percent: Decimal) -> Decimal:
    """Tax at `rate_percent` on the taxable lines' total, rounded once, half-up, to the cent."""
    taxable = sum((line.amount for line in lines if line.is_taxable), Decimal("0.00"))
    return to_cents(taxable * rate_percent / HUNDRED)


def issue_invoice(customer: Customer, lines: list[LineDraft], **references) -> Invoice:
    """Number, price and date a new invoice. Joins the caller's transaction.

    `references` are what the invoice refers to: po_number, work_order_id and
    work_order_number for a job; kind, late_fee_for_id and late_fee_period for a late fee.
    """
    settings = company_settings()
    issue_date = company_today()
    terms = customer.payment_terms_days if customer.payment_terms_days is not None else settings.default_payment_terms_days
    subtotal = sum((line.amount for line in lines), Decimal("0.00"))
    tax = tax_on(lines, settings.tax_rate_percent)
    invoice = Invoice(
        number=next_number("INV", issue_date.year),
        customer_id=customer.id,
        issue_date=issue_date,
        due_date=issue_date + timedelta(days=terms),
        subtotal=subtotal,
        tax_rate_percent=settings.tax_rate_percent,
        tax=tax,
        total=subtotal + tax,
        lines=[
            InvoiceLine(
                position=position,
                kind=line.kind,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                is_taxable=line.is_taxable,
                labour_kind=line.labour_kind,
            )
            for position, line in enumerate(lines, start=1)
        ],
        **references,
    )
    # Its customer link from the start (it reaches them with the first email): set now, not updated in later.
    invoice.open_link()
    db.session.add(invoice)
    db.session.flush()
    audit.record(AuditKind.MONEY, "invoice_issued", invoice, invoice_kind=invoice.kind, total=invoice.total, tax=invoice.tax)
    return invoice


def request_invoice_email(invoice: Invoice) -> InvoiceEmail:
    """Ask for the invoice to be emailed to the customer once this transaction commits."""
    # The customer's secret link goes out with the first email, and stays the same after
    # (invoices issued before links were given at issue get theirs now).
    invoice.open_link()
    email = InvoiceEmail(invoice_id=invoice.id, to_address=invoice.customer.email)
    db.session.add(email)
    # request_job flushes its outbox row, and this email with it.
    request_job(email_invoice, invoice.id)
    return email


def get_invoice(invoice_id: int) -> Invoice:
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound("No such invoice.")
    return invoice


@transactional
def send_invoice(invoice_id: int) -> InvoiceEmail:
    """The dispatcher's (re)send: a new email request, delivered by the background job."""
    return request_invoice_email(get_invoice(invoice_id))
