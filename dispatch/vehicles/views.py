"""The office's vehicles page: the company vehicles, and a month's miles per vehicle and per technician."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from dispatch.auth.access import require_role
from dispatch.auth.permissions import STAFF
from dispatch.core.errors import InvalidInput
from dispatch.core.schemas import MONTH, load_form
from dispatch.core.time import company_today
from dispatch.vehicles import service
from dispatch.vehicles.schemas import AddVehicleSchema

bp = Blueprint("vehicles", __name__, url_prefix="/vehicles")


@bp.route("/", methods=["GET", "POST"])
@login_required
@require_role(*STAFF)
def list_vehicles():
    month = request.args.get("month") or f"{company_today():%Y-%m}"
    if MONTH.regex.match(month) is None:
        abort(404)
    if request.method == "GET":
        return _vehicles_page(month, {})
    try:
        vehicle = service.add_vehicle(**load_form(AddVehicleSchema(), request.form))
    except InvalidInput as error:
        return _vehicles_page(month, request.form, error.errors), error.status_code
    flash(f"{vehicle.name} added.", "success")
    return redirect(url_for(".list_vehicles", month=month))


@bp.route("/<int:vehicle_id>/retire", methods=["POST"])
@login_required
@require_role(*STAFF)
def retire_vehicle(vehicle_id):
    vehicle = service.retire_vehicle(vehicle_id)
    flash(f"{vehicle.name} retired: its miles stay in the reports.", "success")
    return redirect(url_for(".list_vehicles"))


def _vehicles_page(month: str, form, errors: dict | None = None) -> str:
    return render_template(
        "vehicles/index.html", month=month, vehicles=service.list_vehicles(), report=service.mileage_report(month),
        form=form, errors=errors or {},
    )
