"""The invoice pages: the dispatcher's list and invoice, with every step of getting paid,
and the customer's own page behind their secret link (no login)."""
import functools
from collections.abc import Callable
from decimal import Decimal

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.models import User
from dispatch.auth.permissions import STAFF
from dispatch.company.service import company_settings
from dispatch.core.errors import DomainError, NotFound
from dispatch.core.schemas import load_form
from dispatch.core.time import company_today
from dispatch.customers import invoice_voids
from dispatch.customers.service import get_customer
from dispatch.extensions import db
from dispatch.invoicing import corrections, disputes, payments, service, sharing, statements
from dispatch.invoicing.models import Dispute, DisputeOutcome, Invoice, InvoiceStatus, PaymentMethod
from dispatch.invoicing.pdf import render_invoice_pdf
from dispatch.invoicing.schemas import (
    AddDisputeNoteSchema,
    InvoiceQueryArgsSchema,
    IssueCreditNoteSchema,
    ReasonSchema,
    RecordPaymentSchema,
    ResolveDisputeSchema,
)

bp = Blueprint("invoicing", __name__, url_prefix="/invoices")
customer_link_bp = Blueprint("customer_link", __name__, url_prefix="/i")

# The invoice page lists the latest openings of the customer's link; the count says how many in all.
RECENT_VIEWS = 20
# The customer's page shows their balance as of now: not for caches, search engines or other sites.
PRIVATE_PAGE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
# The status as the customer reads it.
STATUS_FOR_CUSTOMER = {
    InvoiceStatus.ISSUED: "Awaiting payment",
    InvoiceStatus.SENT: "Awaiting payment",
    InvoiceStatus.VIEWED: "Awaiting payment",
    InvoiceStatus.PARTIALLY_PAID: "Part paid",
    InvoiceStatus.PAID: "Paid in full. Thank you!",
    InvoiceStatus.DISPUTED: "On hold while we look into a question",
    InvoiceStatus.VOID: "Cancelled: there is nothing to pay",
}


@bp.app_template_filter("money")
def money(amount: Decimal) -> str:
    """An amount as the invoice PDF prints it: "1,234.50"."""
    return f"{amount:,.2f}"


@bp.route("/")
@login_required
@require_role(*STAFF)
def list_invoices():
    query = load_form(InvoiceQueryArgsSchema(), request.args)
    invoices = statements.find_invoices(**query)
    return render_template(
        "invoicing/list.html",
        invoices=invoices,
        query=query,
        statuses=list(InvoiceStatus),
        today=company_today(),
    )


@bp.route("/statement/<int:customer_id>")
@login_required
@require_role(*STAFF)
def customer_statement(customer_id):
    """Everything billed, credited, paid and voided for one customer, with the running balance."""
    return render_template(
        "invoicing/statement.html",
        customer=get_customer(customer_id),
        entries=statements.customer_statement(customer_id),
    )


@bp.route("/<int:invoice_id>")
@login_required
@require_role(*STAFF)
def show_invoice(invoice_id):
    return _invoice_page(invoice_id)


@bp.route("/<int:invoice_id>/pdf")
@login_required
@require_role(*STAFF)
def invoice_pdf(invoice_id):
    return _pdf(service.get_invoice(invoice_id), "inline")


def invoice_form(key: str) -> Callable:
    """A form on the invoice page. The view does its one thing and says what it did; back to
    the invoice with that. A domain error shows the invoice again, with the message on that
    form (`key`, formatted with the URL's ids) and what was typed in it; nothing is written."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def run(invoice_id: int, **ids):
            try:
                done = view(invoice_id, **ids)
            except DomainError as error:
                return _invoice_page(invoice_id, key.format(**ids), error), error.status_code
            flash(done, "success")
            return redirect(url_for("invoicing.show_invoice", invoice_id=invoice_id))

        return run

    return decorate


@bp.route("/<int:invoice_id>/payments", methods=["POST"])
@login_required
@require_role(*STAFF)
@invoice_form("payment")
def record_payment(invoice_id):
    payment = payments.record_payment(invoice_id, actor=current_actor(), **load_form(RecordPaymentSchema(), request.form))
    return f"Payment of {payment.amount:,.2f} recorded. Balance due: {payment.invoice.balance_due:,.2f}."


@bp.route("/<int:invoice_id>/payments/<int:payment_id>/reversal", methods=["POST"])
@login_required
@require_role(*STAFF)
@invoice_form("reversal-{payment_id}")
def reverse_payment(invoice_id, payment_id):
    reversal = load_form(ReasonSchema(), request.form)
    payment = payments.reverse_payment(payment_id, reversal["reason"], current_actor())
    return f"Payment of {payment.amount:,.2f} reversed. Balance due: {payment.invoice.balance_due:,.2f}."


@bp.route("/<int:invoice_id>/credit-notes", methods=["POST"])
@login_required
@require_role(*STAFF)
@invoice_form("credit")
def issue_credit_note(invoice_id):
    credit = load_form(IssueCreditNoteSchema(), request.form)
    note = corrections.issue_credit_note(invoice_id, credit["amount"], credit["reason"], current_actor())
    return f"Credit note {note.number} issued for {note.total:,.2f}."


@bp.route("/<int:invoice_id>/void", methods=["POST"])
@login_required
@require_role(*STAFF)
@invoice_form("void")
def void_invoice(invoice_id):
    invoice = invoice_voids.void_invoice(invoice_id, load_form(ReasonSchema(), request.form)["reason"])
    return f"Invoice {invoice.number} is void."


@bp.route("/<int:invoice_id>/disputes", methods=["POST"])
@login_required
@require_role(*STAFF)
@invoice_form("dispute")
def open_dispute(invoice_id):
    dispute = disputes.open_dispute(invoice_id, load_form(ReasonSchema(), request.form)["reason"], current_actor())
    return f"Dispute opened: reminders and late fees stop until it is resolved. Reply by {dispute.respond_by.isoformat()}."


@bp.route("/<int:invoice_id>/disputes/<int:dispute_id>/notes", methods=["POST"])
@login_required
@require_role(*STAFF)
@invoice_form("note-{dispute_id}")
def add_dispute_note(invoice_id, dispute_id):
    disputes.add_dispute_note(dispute_id, load_form(AddDisputeNoteSchema(), request.form)["text"], current_actor())
    return "Note added to the dispute."


@bp.route("/<int:invoice_id>/disputes/<int:dispute_id>/resolution", methods=["POST"])
@login_required
@require_role(*STAFF)
@invoice_form("resolution-{dispute_id}")
def resolve_dispute(invoice_id, dispute_id):
    dispute = disputes.resolve_dispute(dispute_id, actor=current_actor(), **load_form(ResolveDisputeSchema(), request.form))
    if dispute.outcome == DisputeOutcome.UPHELD:
        return "Dispute upheld: the customer is credited."
    return "Dispute rejected: the invoice is back to collection."


@bp.route("/<int:invoice_id>/send", methods=["POST"])
@login_required
@require_role(*STAFF)
@invoice_form("send")
def send_invoice(invoice_id):
    email = service.send_invoice(invoice_id)
    return f"The invoice will be emailed to {email.to_address} in a moment."


def _invoice_page(invoice_id: int, failed_form: str | None = None, error: DomainError | None = None) -> str:
    invoice = service.get_invoice(invoice_id)
    its_disputes = invoice.disputes
    return render_template(
        "invoicing/show.html",
        invoice=invoice,
        disputes=its_disputes,
        open_dispute=next((dispute for dispute in its_disputes if dispute.resolved_at is None), None),
        views=sharing.recent_views(invoice, RECENT_VIEWS),
        names=_names_of(invoice, its_disputes),
        payment_methods=list(PaymentMethod),
        today=company_today(),
        failed_form=failed_form,
        error=error,
        typed=request.form if failed_form else {},
    )


# Read-only lookups for the pages: what the dispatcher sees beside the invoice itself.


def _names_of(invoice: Invoice, its_disputes: list[Dispute]) -> dict[int, str]:
    """Who recorded, reversed, credited and wrote what on the invoice, by user id."""
    ids = {payment.recorded_by_id for payment in invoice.payments} | {payment.reversed_by_id for payment in invoice.payments}
    ids |= {note.created_by_id for note in invoice.credit_notes}
    ids |= {note.author_id for dispute in its_disputes for note in dispute.notes} | {dispute.opened_by_id for dispute in its_disputes}
    ids.discard(None)
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}


@customer_link_bp.route("/<token>")
def customer_invoice(token):
    return _customer_page(sharing.record_view(token, request.headers.get("User-Agent")))


@customer_link_bp.route("/<token>/pdf")
def customer_invoice_pdf(token):
    return _pdf(sharing.invoice_for_link(token), "attachment", PRIVATE_PAGE)


@customer_link_bp.route("/<token>/question", methods=["POST"])
def question_invoice(token):
    """The customer questions the invoice: a dispute opened in their name (actor None)."""
    invoice = sharing.invoice_for_link(token)
    try:
        disputes.open_dispute(invoice.id, load_form(ReasonSchema(), request.form)["reason"])
    except DomainError as error:
        return _customer_page(invoice, error)
    flash("Thank you. We have your question and will get back to you.", "success")
    return redirect(url_for("customer_link.customer_invoice", token=token))


@customer_link_bp.errorhandler(NotFound)
def link_not_found(_error):
    """Says nothing of whose link it might have been, or whether it ever worked."""
    return render_template("invoicing/link_not_found.html"), 404, PRIVATE_PAGE


def _customer_page(invoice: Invoice, error: DomainError | None = None):
    return render_template(
        "invoicing/customer.html",
        invoice=invoice,
        company=company_settings(),
        dispute=disputes.open_dispute_of(invoice),
        status_in_words=STATUS_FOR_CUSTOMER[invoice.status],
        today=company_today(),
        error=error,
        typed=request.form if error else {},
    ), error.status_code if error else 200, PRIVATE_PAGE


def _pdf(invoice: Invoice, disposition: str, headers: dict | None = None) -> Response:
    return Response(
        render_invoice_pdf(invoice, company_settings()),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'{disposition}; filename="{invoice.number}.pdf"', **(headers or {})},
    )
