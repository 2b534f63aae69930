"""Correcting an issued invoice: it is never edited, only voided or credited.

Both keep the original as it was, with the reason, for the customer's statement.
"""
from decimal import Decimal

from dispatch.audit import service as audit
from dispatch.audit.models import AuditKind
from dispatch.core.errors import Conflict, InvalidInput
from dispatch.core.money import to_cents
from dispatch.core.numbering import next_number
from dispatch.core.time import company_today, utcnow
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.invoicing.models import CreditNote, Invoice, InvoiceStatus
from dispatch.invoicing.payments import locked_invoice


@transactional
def void_invoice(invoice_id: int, reason: str) -> Invoice:
    """Cancel an invoice that should never have been issued. Money already on it must be dealt with first."""
    invoice = locked_invoice(invoice_id)
    if invoice.status == InvoiceStatus.VOID:
        raise Conflict(f"Invoice {invoice.number} is already void.")
    if invoice.status == InvoiceStatus.DISPUTED:
        raise Conflict(f"Invoice {invoice.number} is disputed: resolve the dispute first.")
    if invoice.amount_paid > 0 or invoice.amount_credited > 0:
        raise Conflict(
            f"Invoice {invoice.number} has payments or credits on it: reverse them, or credit the rest instead of voiding."
        )
    invoice.status, invoice.voided_at, invoice.void_reason = InvoiceStatus.VOID, utcnow(), reason
    invoice.keep_link_while_open()
    audit.record(AuditKind.MONEY, "invoice_voided", invoice, total=-invoice.total)
    return invoice


@transactional
def issue_credit_note(invoice_id: int, amount: Decimal, reason: str, actor) -> CreditNote:
    """Credit part or all of what is still owed on an invoice, as its own numbered document."""
    return credit(locked_invoice(invoice_id), amount, reason, actor)


def credit(invoice: Invoice, amount: Decimal, reason: str, actor) -> CreditNote:
    """Issue a credit note on a locked invoice. Joins the caller's transaction."""
    if invoice.status == InvoiceStatus.VOID:
        raise Conflict(f"Invoice {invoice.number} is void: there is nothing to credit.")
    if amount <= 0:
        raise InvalidInput.on_field("amount", "A credit is more than zero.")
    if amount > invoice.balance_due:
        raise InvalidInput.on_field("amount", f"More than the balance due on {invoice.number} ({invoice.balance_due:,.2f}).")
    # The credit carries the invoice's share of tax, so revenue and tax both come down.
    tax = to_cents(amount * invoice.tax / invoice.total) if invoice.total else Decimal("0.00")
    issue_date = company_today()
    note = CreditNote(
        number=next_number("CN", issue_date.year),
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
        issue_date=issue_date,
        reason=reason,
        subtotal=amount - tax,
        tax=tax,
        total=amount,
        created_by_id=actor.id if actor else None,
    )
    invoice.credit_notes.append(note)
    invoice.amount_credited += amount
    invoice.refresh_status()
    db.session.flush()
    audit.record(AuditKind.MONEY, "credit_note_issued", note, invoice_id=invoice.id, total=-note.total, tax=-note.tax)
    return note
