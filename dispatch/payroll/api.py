"""Pay rules, pay accruals, payroll runs and pay statements."""
from flask import Response

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.models import Role
from dispatch.core.api import Blueprint
from dispatch.core.time import company_today
from dispatch.payroll import rules, runs, service
from dispatch.payroll.pdf import statement_pdf
from dispatch.payroll.schemas import (
    CreatePayRuleSchema,
    EnterAdjustmentSchema,
    PayAccrualQueryArgsSchema,
    PayAccrualSchema,
    PayrollRunSchema,
    PayRuleSchema,
    PayStatementQueryArgsSchema,
    PayStatementSchema,
    RunPayrollSchema,
)

blp = Blueprint("payroll_api", __name__, description="Technicians' pay")


@blp.route("/pay-accruals", methods=["GET"])
@require_role(Role.OWNER, Role.TECHNICIAN)
@blp.arguments(PayAccrualQueryArgsSchema, location="query")
@blp.response(200, PayAccrualSchema(many=True))
@blp.paginate()
def list_pay_accruals(query_args):
    """Pay accrued, by date: the owner sees everyone's, a technician their own."""
    return service.pay_accruals_query(current_actor(), **query_args)


@blp.route("/technicians/<int:technician_id>/pay-rules", methods=["GET"])
@require_role(Role.OWNER)
@blp.response(200, PayRuleSchema(many=True))
@blp.paginate()
def list_pay_rules(technician_id):
    """The technician's rules by first day; days no rule covers are paid at the rate they were added with."""
    return rules.list_pay_rules(technician_id)


@blp.route("/technicians/<int:technician_id>/pay-rules", methods=["POST"])
@require_role(Role.OWNER)
@blp.arguments(CreatePayRuleSchema)
@blp.response(201, PayRuleSchema)
def add_pay_rule(terms, technician_id):
    """A new rule from its first day: a raise ends the running rule the day before; other overlaps are refused."""
    return rules.add_pay_rule(technician_id, current_actor(), **terms)


@blp.route("/pay-adjustments", methods=["POST"])
@require_role(Role.OWNER)
@blp.arguments(EnterAdjustmentSchema)
@blp.response(201, PayAccrualSchema)
def enter_adjustment(adjustment):
    """A flat bonus or deduction, paid with the period of its day (or the next open one)."""
    worked_on = adjustment.pop("worked_on") or company_today()
    return service.enter_adjustment(worked_on=worked_on, actor=current_actor(), **adjustment)


@blp.route("/payroll-runs", methods=["GET"])
@require_role(Role.OWNER)
@blp.response(200, PayrollRunSchema(many=True))
@blp.paginate()
def list_payroll_runs():
    return runs.runs_query()


@blp.route("/payroll-runs", methods=["POST"])
@require_role(Role.OWNER)
@blp.arguments(RunPayrollSchema)
@blp.response(201, PayrollRunSchema)
def run_payroll(request):
    """Pay an ended period: one statement per technician, and the period is locked."""
    return runs.run_payroll(request["starts_on"], current_actor())


@blp.route("/payroll-runs/<int:run_id>", methods=["GET"])
@require_role(Role.OWNER)
@blp.response(200, PayrollRunSchema)
def get_payroll_run(run_id):
    return runs.get_run(run_id)


@blp.route("/payroll-runs/<int:run_id>/export", methods=["GET"])
@require_role(Role.OWNER)
@blp.response(200, content_type="text/csv")
def export_payroll_run(run_id):
    """The run as CSV for the payroll provider: hours and earnings by kind, one row per technician."""
    export = runs.export_run(run_id)
    return Response(export.text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{export.filename}"'})


@blp.route("/pay-statements", methods=["GET"])
@require_role(Role.OWNER, Role.TECHNICIAN)
@blp.arguments(PayStatementQueryArgsSchema, location="query")
@blp.response(200, PayStatementSchema(many=True))
@blp.paginate()
def list_pay_statements(query_args):
    """Every statement, newest first: a technician's own, or (the owner) anyone's."""
    return runs.statements_query(current_actor(), query_args["technician_id"])


@blp.route("/pay-statements/<int:statement_id>/pdf", methods=["GET"])
@require_role(Role.OWNER, Role.TECHNICIAN)
@blp.response(200, content_type="application/pdf")
def pay_statement_pdf(statement_id):
    return statement_pdf(runs.get_statement(statement_id, current_actor()))
