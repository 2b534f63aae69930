"""The owner's report pages: expenses, and the accountant's export downloaded as a CSV file."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.models import Role
from dispatch.core.body_limits import ONE_FILE, accepts_body_up_to
from dispatch.core.errors import InvalidInput
from dispatch.core.schemas import load_form
from dispatch.core.files import open_stored_file
from dispatch.core.time import company_today, month_days
from dispatch.reports import charts, expenses
from dispatch.reports.dashboard import COSTS, owners_dashboard
from dispatch.reports.models import ExpenseCategory
from dispatch.reports.accounting_export import Document, Target, export_documents
from dispatch.core.schemas import MONTH
from dispatch.reports.schemas import AccountingExportQueryArgsSchema, ExpenseSchema

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


@bp.route("/expenses", methods=["GET", "POST"])
@accepts_body_up_to(ONE_FILE)
@login_required
@require_role(Role.OWNER)
def expense_list():
    """A month's expenses, and the form to enter one with its receipt."""
    month = request.args.get("month") or f"{company_today():%Y-%m}"
    if MONTH.regex.match(month) is None:
        abort(404)
    if request.method == "GET":
        return _expenses_page(month, {"spent_on": company_today().isoformat()})
    try:
        entered = load_form(ExpenseSchema(), request.form)
        expense = expenses.record_expense(current_actor(), **entered, receipt=request.files.get("receipt"))
    except InvalidInput as error:
        return _expenses_page(month, request.form, error.errors), error.status_code
    flash(f"{expense.category.title()} of {expense.amount:,.2f} entered.", "success")
    return redirect(url_for(".expense_list", month=f"{expense.spent_on:%Y-%m}"))


@bp.route("/expenses/<int:expense_id>/receipt")
@login_required
@require_role(Role.OWNER)
def expense_receipt(expense_id):
    expense = expenses.get_expense(expense_id)
    if expense.receipt_path is None:
        abort(404)
    return send_file(open_stored_file(expense.receipt_path), mimetype=expense.receipt_type)


def _expenses_page(month: str, form, errors: dict | None = None) -> str:
    listed = expenses.expenses_in(*month_days(month))
    return render_template(
        "reports/expenses.html",
        month=month,
        expenses=listed,
        total=sum((expense.amount for expense in listed), start=0),
        categories=[category.value for category in ExpenseCategory],
        form=form,
        errors=errors or {},
    )


@bp.route("/dashboard")
@login_required
@require_role(Role.OWNER)
def dashboard():
    board = owners_dashboard(company_today())
    profit_bars, zero = charts.profit_bars([(month.month, month.figures["net_profit"]) for month in board.history])
    stacked = charts.revenue_and_cost_bars(
        [(month.month, month.figures["revenue"], {cost: month.figures[cost] for cost in COSTS}) for month in board.history]
    )
    return render_template(
        "reports/dashboard.html",
        board=board,
        profit_bars=profit_bars,
        zero=zero,
        stacked=stacked,
        chart=charts,
        month_days=month_days,
    )
