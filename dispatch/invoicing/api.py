from flask import Response

from dispatch.auth.access import require_role
from dispatch.auth.permissions import STAFF
from dispatch.company.service import company_settings
from dispatch.core.api import Blueprint
from dispatch.invoicing import service
from dispatch.invoicing.pdf import render_invoice_pdf
from dispatch.invoicing.schemas import InvoiceEmailSchema, InvoiceSchema

blp = Blueprint("invoicing_api", __name__, description="Invoices, their PDFs and emailing them")


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
