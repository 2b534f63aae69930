"""The pay pages: the owner's payroll (runs, rules, bonuses) and each technician's own pay on their phone."""
import functools
from collections.abc import Callable

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.models import Role, User
from dispatch.auth.permissions import ensure_visible
from dispatch.core.errors import DomainError
from dispatch.core.schemas import load_form
from dispatch.core.time import company_today
from dispatch.extensions import db
from dispatch.payroll import rules, runs, service
from dispatch.payroll.pdf import KIND_NAMES, statement_pdf
from dispatch.payroll.schemas import CreatePayRuleSchema, EnterAdjustmentSchema, RunPayrollSchema

bp = Blueprint("payroll", __name__, url_prefix="/payroll")


@bp.route("/")
@login_required
@require_role(Role.OWNER)
def show_payroll():
    return _payroll_page()


def _payroll_page(form: dict | None = None, error: DomainError | None = None):
    technicians = db.session.scalars(select(User).where(User.role == Role.TECHNICIAN).order_by(User.name)).all()
    upcoming = runs.next_period_to_run()
    page = render_template(
        "payroll/index.html",
        upcoming=upcoming,
        has_ended=upcoming.ends_on < company_today(),
        current=runs.current_period(),
        unpaid={technician.id: sum(line.amount for line in service.unpaid_accruals(technician.id)) for technician in technicians},
        technicians=technicians,
        runs=runs.list_runs(),
        form=form or {"starts_on": upcoming.starts_on.isoformat()},
        error=error,
    )
    return (page, error.status_code) if error else page


@bp.route("/runs", methods=["POST"])
@login_required
@require_role(Role.OWNER)
def run_payroll():
    try:
        run = runs.run_payroll(load_form(RunPayrollSchema(), request.form)["starts_on"], current_actor())
    except DomainError as error:
        return _payroll_page(request.form, error)
    flash(f"Payroll run for {run.starts_on.isoformat()} to {run.ends_on.isoformat()}: {len(run.statements)} statements.", "success")
    return redirect(url_for("payroll.show_payroll"))


@bp.route("/runs/<int:run_id>/export")
@login_required
@require_role(Role.OWNER)
def export_run(run_id):
    export = runs.export_run(run_id)
    return Response(export.text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{export.filename}"'})


@bp.route("/me")
@login_required
@require_role(Role.TECHNICIAN)
def my_pay():
    return redirect(url_for("payroll.technician_pay", technician_id=current_actor().id))


@bp.route("/technicians/<int:technician_id>")
@login_required
@require_role(Role.OWNER, Role.TECHNICIAN)
def technician_pay(technician_id):
    return _technician_page(technician_id)


def _technician_page(technician_id: int, failed: str | None = None, error: DomainError | None = None):
    actor = current_actor()
    ensure_visible(actor, technician_id)
    technician = rules.technician(technician_id)
    unpaid = service.unpaid_accruals(technician_id)
    statements = runs.find_statements(actor, technician_id)
    page = render_template(
        "payroll/technician.html",
        technician=technician,
        unpaid=unpaid,
        unpaid_total=sum((line.amount for line in unpaid), 0),
        statements=[(statement, sum(runs.year_to_date(statement).values())) for statement in statements],
        pay_rules=rules.list_pay_rules(technician_id) if actor.has_role(Role.OWNER) else [],
        is_owner=actor.has_role(Role.OWNER),
        kind_names=KIND_NAMES,
        failed=failed,
        error=error,
        form=request.form if failed else {},
        today=company_today(),
    )
    return (page, error.status_code) if error else page


def owner_form(name: str) -> Callable:
    """A form on a technician's pay page: done, back to the page with what it did; refused, the page again
    with the error on that form and what was typed; nothing written."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def run(technician_id: int):
            try:
                done = view(technician_id)
            except DomainError as error:
                return _technician_page(technician_id, name, error)
            flash(done, "success")
            return redirect(url_for("payroll.technician_pay", technician_id=technician_id))

        return run

    return decorate


@bp.route("/technicians/<int:technician_id>/rules", methods=["POST"])
@login_required
@require_role(Role.OWNER)
@owner_form("rule")
def add_pay_rule(technician_id):
    rule = rules.add_pay_rule(technician_id, current_actor(), **load_form(CreatePayRuleSchema(), request.form))
    return f"Pay rule from {rule.effective_on.isoformat()} saved: {rule.hourly_rate:,.2f} an hour."


@bp.route("/technicians/<int:technician_id>/adjustments", methods=["POST"])
@login_required
@require_role(Role.OWNER)
@owner_form("adjustment")
def enter_adjustment(technician_id):
    adjustment = load_form(EnterAdjustmentSchema(exclude=("technician_id",)), request.form)
    worked_on = adjustment.pop("worked_on") or company_today()
    line = service.enter_adjustment(technician_id, worked_on=worked_on, actor=current_actor(), **adjustment)
    return f"{line.kind.capitalize()} of {abs(line.amount):,.2f} entered."


@bp.route("/statements/<int:statement_id>.pdf")
@login_required
@require_role(Role.OWNER, Role.TECHNICIAN)
def statement(statement_id):
    return statement_pdf(runs.get_statement(statement_id, current_actor()))
