from flask import Response, send_file
from marshmallow import ValidationError

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.models import Role
from dispatch.core.api import Blueprint
from dispatch.core.errors import NotFound
from dispatch.core.files import open_stored_file
from dispatch.core.schemas import MONTH
from dispatch.core.time import month_days
from dispatch.reports import accounting_export, expenses, service
from dispatch.reports.schemas import (
    AccountingExportQueryArgsSchema,
    EndExpenseSchema,
    ExpenseQueryArgsSchema,
    ExpenseSchema,
    JobAcceptedSchema,
    MonthlyProfitRequestSchema,
    MonthlyProfitSchema,
)

blp = Blueprint("reports_api", __name__, description="The owner's numbers")


@blp.route("/reports/monthly-profit", methods=["POST"])
@require_role(Role.OWNER)
@blp.arguments(MonthlyProfitRequestSchema)
@blp.response(202, JobAcceptedSchema)
def request_monthly_profit(request):
    """Compute (or recompute) a month's net profit in the background."""
    return {"job_id": service.request_monthly_profit(request["month"])}


@blp.route("/reports/monthly-profit/<month>", methods=["GET"])
@require_role(Role.OWNER)
@blp.response(200, MonthlyProfitSchema)
def get_monthly_profit(month):
    try:
        MONTH(month)
    except ValidationError as error:
        raise NotFound("Months look like 2026-11.") from error
    return service.get_monthly_profit(month)


@blp.route("/reports/accounting-export", methods=["GET"])
@require_role(Role.OWNER)
@blp.arguments(AccountingExportQueryArgsSchema, location="query")
@blp.response(200, content_type="text/csv")
def get_accounting_export(query_args):
    """Invoices, credit notes or payments dated in the range, both days included, as a CSV file for QuickBooks Online or Xero."""
    export = accounting_export.export_documents(**query_args)
    disposition = f'attachment; filename="{export.filename}"'
    return Response(export.text, mimetype="text/csv", headers={"Content-Disposition": disposition})


@blp.route("/expenses", methods=["POST"])
@require_role(Role.OWNER)
@blp.arguments(ExpenseSchema)
@blp.response(201, ExpenseSchema)
def record_expense(expense):
    """Rent, fuel, insurance, tools…; is_monthly repeats it every month until it is ended. Receipts are uploaded on the page."""
    return expenses.record_expense(current_actor(), **expense)


@blp.route("/expenses", methods=["GET"])
@require_role(Role.OWNER)
@blp.arguments(ExpenseQueryArgsSchema, location="query")
@blp.response(200, ExpenseSchema(many=True))
@blp.paginate()
def list_expenses(query_args):
    """The expenses that count in a month: one-offs spent in it and monthly ones running in it."""
    return expenses.expenses_query(*month_days(query_args["month"]))


@blp.route("/expenses/<int:expense_id>/end", methods=["POST"])
@require_role(Role.OWNER)
@blp.arguments(EndExpenseSchema)
@blp.response(200, ExpenseSchema)
def end_monthly_expense(end, expense_id):
    return expenses.end_monthly_expense(expense_id, end["ends_on"])


@blp.route("/expenses/<int:expense_id>/receipt", methods=["GET"])
@require_role(Role.OWNER)
@blp.response(200, content_type="application/octet-stream")
def expense_receipt(expense_id):
    expense = expenses.get_expense(expense_id)
    if expense.receipt_path is None:
        raise NotFound("No receipt was kept for this expense.")
    return send_file(open_stored_file(expense.receipt_path), mimetype=expense.receipt_type)
