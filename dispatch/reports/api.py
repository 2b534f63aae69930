from flask import Response
from marshmallow import ValidationError

from dispatch.auth.access import require_role
from dispatch.auth.models import Role
from dispatch.core.api import Blueprint
from dispatch.core.errors import NotFound
from dispatch.reports import accounting_export, service
from dispatch.reports.schemas import (
    MONTH,
    AccountingExportQueryArgsSchema,
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
