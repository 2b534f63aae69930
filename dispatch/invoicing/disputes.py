"""Disputes: the customer questions an invoice; collection stops until it is resolved."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from dispatch.company.service import company_settings
from dispatch.core.errors import Conflict, InvalidInput, NotFound
from dispatch.core.time import company_today, utcnow
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.invoicing.corrections import credit
from dispatch.invoicing.models import Dispute, DisputeNote, DisputeOutcome, Invoice, InvoiceStatus
from dispatch.invoicing.payments import locked_invoice


@transactional
def open_dispute(invoice_id: int, reason: str, actor=None) -> Dispute:
    """Open a dispute; `actor` None means the customer, through their link."""
    invoice = locked_invoice(invoice_id)
    if invoice.status in (InvoiceStatus.PAID, InvoiceStatus.VOID):
        raise Conflict(f"Invoice {invoice.number} is {invoice.status}: there is nothing to dispute.")
    if invoice.status == InvoiceStatus.DISPUTED:
        raise Conflict(f"Invoice {invoice.number} is already disputed.")
    invoice.status_before_dispute, invoice.status = invoice.status, InvoiceStatus.DISPUTED
    dispute = Dispute(
        invoice_id=invoice.id,
        reason=reason,
        opened_by_id=actor.id if actor else None,
        respond_by=company_today() + timedelta(days=company_settings().dispute_respond_days),
        notes=[DisputeNote(author_id=actor.id if actor else None, text=reason)],
    )
    db.session.add(dispute)
    db.session.flush()
    return dispute


def open_dispute_of(invoice: Invoice) -> Dispute | None:
    return db.session.scalar(select(Dispute).where(Dispute.invoice_id == invoice.id, Dispute.resolved_at.is_(None)))


@transactional
def add_dispute_note(dispute_id: int, text: str, actor=None) -> DisputeNote:
    dispute = _unresolved(dispute_id)
    note = DisputeNote(author_id=actor.id if actor else None, text=text)
    dispute.notes.append(note)
    db.session.flush()
    return note


@transactional
def resolve_dispute(dispute_id: int, outcome: str, note: str, actor, credit_amount: Decimal | None = None) -> Dispute:
    """Upheld: the customer is credited (the whole balance unless an amount is given).
    Rejected: the invoice goes back to where it was, and collection resumes."""
    dispute = _unresolved(dispute_id)
    invoice = locked_invoice(dispute.invoice_id)
    if outcome == DisputeOutcome.REJECTED and credit_amount is not None:
        raise InvalidInput.on_field("credit_amount", "A rejected dispute credits nothing.")
    invoice.status, invoice.status_before_dispute = invoice.status_before_dispute, None
    invoice.refresh_status()
    if outcome == DisputeOutcome.UPHELD:
        credit_note = credit(invoice, credit_amount or invoice.balance_due, f"Dispute upheld: {dispute.reason}", actor)
        dispute.credit_note_id = credit_note.id
    dispute.outcome, dispute.resolved_at = outcome, utcnow()
    dispute.notes.append(DisputeNote(author_id=actor.id, text=note))
    db.session.flush()
    return dispute


def _unresolved(dispute_id: int) -> Dispute:
    dispute = db.session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFound("No such dispute.")
    if dispute.resolved_at is not None:
        raise Conflict(f"This dispute was resolved ({dispute.outcome}).")
    return dispute
