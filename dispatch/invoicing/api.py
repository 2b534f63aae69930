from flask import Response

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.permissions import STAFF
from dispatch.company.service import company_settings
from dispatch.core.api import Blueprint
from dispatch.customers import invoice_voids
from dispatch.invoicing import corrections, disputes, payments, service, statements
from dispatch.invoicing.pdf import render_invoice_pdf
from dispatch.invoicing.schemas import (
    AddDisputeNoteSchema,
    CreditNoteSchema,
    DisputeNoteSchema,
    DisputeSchema,
    InvoiceEmailSchema,
    InvoiceQueryArgsSchema,
    InvoiceSchema,
    IssueCreditNoteSchema,
    PaymentSchema,
    ReasonSchema,
    RecordPaymentSchema,
    ResolveDisputeSchema,
    StatementEntrySchema,
)

blp = Blueprint("invoicing_api", __name__, description="Invoices, their PDFs and emailing them")


@blp.route("/invoices", methods=["GET"])
@require_role(*STAFF)
@blp.arguments(InvoiceQueryArgsSchema, location="query")
@blp.response(200, InvoiceSchema(many=True))
@blp.paginate()
def list_invoices(query_args):
    """Invoices, newest first; filter by status, customer, or overdue=true."""
    return statements.invoices_query(**query_args)


@blp.route("/invoices/<int:invoice_id>", methods=["GET"])
@require_role(*STAFF)
@blp.response(200, InvoiceSchema)
def get_invoice(invoice_id):
    return service.get_invoice(invoice_id)


@blp.route("/invoices/<int:invoice_id>/pdf", methods=["GET"])
@require_role(*STAFF)
@blp.response(200, content_type="application/pdf")
def get_invoice_pdf(invoice_id):
    invoice = service.get_invoice(invoice_id)
    return Response(
        render_invoice_pdf(invoice, company_settings()),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{invoice.number}.pdf"'},
    )


@blp.route("/invoices/<int:invoice_id>/send", methods=["POST"])
@require_role(*STAFF)
@blp.response(202, InvoiceEmailSchema)
def send_invoice(invoice_id):
    """Email the invoice PDF to the customer again (a background job sends it)."""
    return service.send_invoice(invoice_id)


@blp.route("/invoices/<int:invoice_id>/payments", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(RecordPaymentSchema)
@blp.response(201, PaymentSchema)
def record_payment(payment, invoice_id):
    """Record money received; the invoice becomes partially_paid or paid. More than the balance is refused."""
    return payments.record_payment(invoice_id, actor=current_actor(), **payment)


@blp.route("/payments/<int:payment_id>/reversal", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(ReasonSchema)
@blp.response(200, PaymentSchema)
def reverse_payment(reversal, payment_id):
    """Reverse a payment recorded in error (a bounced check): kept on record, with the reason."""
    return payments.reverse_payment(payment_id, reversal["reason"], current_actor())


@blp.route("/invoices/<int:invoice_id>/void", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(ReasonSchema)
@blp.response(200, InvoiceSchema)
def void_invoice(void, invoice_id):
    """Void an invoice that should never have been issued; 409 if money is on it. A support block it sold
    is cancelled (409 naming the work orders if hours were drawn from it); a milestone or contacts it
    billed can be invoiced again."""
    return invoice_voids.void_invoice(invoice_id, void["reason"])


@blp.route("/invoices/<int:invoice_id>/credit-notes", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(IssueCreditNoteSchema)
@blp.response(201, CreditNoteSchema)
def issue_credit_note(credit, invoice_id):
    return corrections.issue_credit_note(invoice_id, credit["amount"], credit["reason"], current_actor())


@blp.route("/invoices/<int:invoice_id>/disputes", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(ReasonSchema)
@blp.response(201, DisputeSchema)
def open_dispute(dispute, invoice_id):
    """The customer questions the invoice: no reminders or late fees until it is resolved."""
    return disputes.open_dispute(invoice_id, dispute["reason"], current_actor())


@blp.route("/disputes/<int:dispute_id>/notes", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(AddDisputeNoteSchema)
@blp.response(201, DisputeNoteSchema)
def add_dispute_note(note, dispute_id):
    return disputes.add_dispute_note(dispute_id, note["text"], current_actor())


@blp.route("/disputes/<int:dispute_id>/resolution", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(ResolveDisputeSchema)
@blp.response(200, DisputeSchema)
def resolve_dispute(resolution, dispute_id):
    """Upheld: a credit note (the whole balance unless credit_amount says less). Rejected: back as it was."""
    return disputes.resolve_dispute(dispute_id, actor=current_actor(), **resolution)


@blp.route("/customers/<int:customer_id>/statement", methods=["GET"])
@require_role(*STAFF)
@blp.response(200, StatementEntrySchema(many=True))
@blp.paginate()
def customer_statement(customer_id):
    """Every invoice, credit, payment and void for the customer, with the running balance."""
    return statements.customer_statement(customer_id)
