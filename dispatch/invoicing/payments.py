"""Payments against invoices: recorded, never deleted, reversed with a reason.

The invoice's amount paid, discount and status follow from its payments every
time one is recorded or reversed, so they always agree.
"""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from dispatch.audit import service as audit
from dispatch.audit.models import AuditKind
from dispatch.company.service import company_settings
from dispatch.core.errors import Conflict, InvalidInput, NotFound
from dispatch.core.money import to_cents
from dispatch.core.time import company_today, utcnow
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.invoicing.models import Invoice, InvoiceStatus, Payment

HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


def locked_invoice(invoice_id: int) -> Invoice:
    """The invoice, locked until commit: payments, credits and disputes on it take turns."""
    invoice = db.session.scalar(select(Invoice).where(Invoice.id == invoice_id).with_for_update())
    if invoice is None:
        raise NotFound("No such invoice.")
    return invoice


@transactional
def record_payment(
    invoice_id: int, amount: Decimal, method: str, actor, reference: str | None = None, received_on: date | None = None
) -> Payment:
    invoice = locked_invoice(invoice_id)
    if invoice.status == InvoiceStatus.VOID:
        raise Conflict(f"Invoice {invoice.number} is void: it takes no payments.")
    owed = _owed_before_discount(invoice)
    if owed <= 0:
        raise Conflict(f"Invoice {invoice.number} is paid in full.")
    if amount > owed:
        raise InvalidInput.on_field("amount", f"More than the balance due on {invoice.number} ({owed:,.2f}).")
    payment = Payment(
        invoice=invoice,
        amount=amount,
        method=method,
        reference=reference,
        received_on=received_on or company_today(),
        recorded_by_id=actor.id,
    )
    db.session.add(payment)
    _settle(invoice)
    db.session.flush()
    audit.record(
        AuditKind.MONEY, "payment_recorded", payment,
        invoice_id=invoice.id, amount=amount, method=method, discount_taken=invoice.discount_taken,
    )
    return payment


@transactional
def reverse_payment(payment_id: int, reason: str, actor) -> Payment:
    """Undo a payment recorded in error (a bounced check): kept, marked reversed, with why."""
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        raise NotFound("No such payment.")
    invoice = locked_invoice(payment.invoice_id)
    if payment.reversed_at is not None:
        raise Conflict(f"This payment was already reversed on {payment.reversed_at:%Y-%m-%d}.")
    payment.reversed_at, payment.reversal_reason, payment.reversed_by_id = utcnow(), reason, actor.id
    _settle(invoice)
    audit.record(
        AuditKind.MONEY, "payment_reversed", payment,
        invoice_id=invoice.id, amount=-payment.amount, discount_taken=invoice.discount_taken,
    )
    return payment


def _owed_before_discount(invoice: Invoice) -> Decimal:
    return invoice.total - invoice.amount_credited - invoice.amount_paid


def _settle(invoice: Invoice) -> None:
    """Amount paid, early-payment discount and status, from the payments that stand."""
    standing = [payment for payment in invoice.payments if payment.reversed_at is None]
    invoice.amount_paid = sum((payment.amount for payment in standing), ZERO)
    invoice.discount_taken = _early_payment_discount(invoice, standing)
    invoice.refresh_status()


def _early_payment_discount(invoice: Invoice, standing: list[Payment]) -> Decimal:
    """The discount a settling payment earns when it came in within the discount days.

    Whoever pays the full amount in time anyway gets no discount forced on them:
    the discount is what the payments left unpaid, up to the policy's percent.
    """
    settings = company_settings()
    if not standing or settings.early_payment_discount_percent <= 0:
        return ZERO
    deadline = invoice.issue_date + timedelta(days=settings.early_payment_discount_days)
    if max(payment.received_on for payment in standing) > deadline:
        return ZERO
    due = invoice.total - invoice.amount_credited
    allowed = to_cents(due * settings.early_payment_discount_percent / HUNDRED)
    unpaid = due - invoice.amount_paid
    return unpaid if 0 < unpaid <= allowed else ZERO
