"""The office's page for recurring maintenance plans: list them, add one, stop one."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.models import Role
from dispatch.auth.permissions import STAFF
from dispatch.auth.service import list_users
from dispatch.core.errors import InvalidInput
from dispatch.core.schemas import load_form
from dispatch.customers.service import find_customers
from dispatch.scheduling import maintenance
from dispatch.scheduling.schemas import MaintenancePlanFormSchema

bp = Blueprint("maintenance_plans", __name__, url_prefix="/maintenance-plans")


@bp.route("/", methods=["GET", "POST"])
@login_required
@require_role(*STAFF)
def list_plans():
    if request.method == "GET":
        return _page({"every": "3", "unit": "months", "minutes": "60", "days_ahead": "30"}, {})
    try:
        plan = maintenance.create_plan(current_actor(), **load_form(MaintenancePlanFormSchema(), _plan_fields(request.form)))
    except InvalidInput as error:
        return _page(request.form, error.errors), 422
    flash(f"Maintenance plan for {plan.customer.name} added; its visits are on the board.", "success")
    return redirect(url_for("maintenance_plans.list_plans"))


@bp.route("/<int:plan_id>/deactivate", methods=["POST"])
@login_required
@require_role(*STAFF)
def deactivate_plan(plan_id: int):
    plan = maintenance.deactivate_plan(plan_id, current_actor())
    flash(f"Maintenance plan for {plan.customer.name} stopped; its visits to come are cancelled.", "success")
    return redirect(url_for("maintenance_plans.list_plans"))


def _plan_fields(form) -> dict:
    """The form's "every N months|weeks", unless an RRULE is typed, as the schema names it."""
    fields = {name: value for name, value in form.items() if name not in ("every", "unit")}
    if not form.get("rrule", "").strip():
        fields[f"every_{'weeks' if form.get('unit') == 'weeks' else 'months'}"] = form.get("every", "")
    return fields


def _page(form, errors: dict):
    technicians = [user for user in list_users() if user.role == Role.TECHNICIAN and user.is_active]
    return render_template(
        "scheduling/plans.html",
        plans=maintenance.find_plans(),
        customers=find_customers(),
        technicians=technicians,
        technician_names={technician.id: technician.name for technician in technicians},
        form=form,
        # every_months / every_weeks are typed in the one "every" input.
        errors={("every" if name.startswith("every_") else name): messages for name, messages in errors.items()},
    )
