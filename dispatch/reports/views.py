"""The owner's report pages: the accountant's export, downloaded as a CSV file."""
from flask import Blueprint, Response, render_template, request
from flask_login import login_required

from dispatch.auth.access import require_role
from dispatch.auth.models import Role
from dispatch.core.errors import InvalidInput
from dispatch.core.schemas import load_form
from dispatch.core.time import company_today
from dispatch.reports.accounting_export import Document, Target, export_documents
from dispatch.reports.schemas import AccountingExportQueryArgsSchema

bp = Blueprint("reports", __name__, url_prefix="/reports")

TARGET_NAMES = {Target.QUICKBOOKS: "QuickBooks Online", Target.XERO: "Xero"}
DOCUMENT_NAMES = {Document.INVOICES: "Invoices", Document.CREDIT_NOTES: "Credit notes", Document.PAYMENTS: "Payments"}


@bp.route("/accounting-export")
@login_required
@require_role(Role.OWNER)
def accounting_export():
    """The form; submitted (a GET with its choices), the CSV file itself."""
    if not request.args:
        today = company_today()
        return _form_page({"from": today.replace(day=1).isoformat(), "to": today.isoformat()})
    try:
        export = export_documents(**load_form(AccountingExportQueryArgsSchema(), request.args))
    except InvalidInput as error:
        return _form_page(request.args, error.errors), error.status_code
    return Response(export.text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{export.filename}"'})


def _form_page(form, errors: dict | None = None) -> str:
    return render_template(
        "reports/accounting_export.html", form=form, errors=errors or {}, targets=TARGET_NAMES, documents=DOCUMENT_NAMES
    )
