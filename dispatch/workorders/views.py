"""The technician's pages: file a work order from the phone, then see what it came to."""
import re
import uuid
from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.models import Role
from dispatch.core.errors import DomainError, InvalidInput
from dispatch.core.idempotency import fingerprint, run_once
from dispatch.core.schemas import errors_by_input
from dispatch.core.time import company_timezone
from dispatch.customers.service import find_customers
from dispatch.inventory import service as inventory
from dispatch.scheduling.service import open_appointments
from dispatch.workorders import service
from dispatch.workorders.models import LabourKind
from dispatch.workorders.schemas import FileWorkOrderSchema

bp = Blueprint("workorders", __name__, url_prefix="/work-orders")

# How far ahead the appointment picker looks: today's jobs and the rest of the week.
APPOINTMENT_DAYS = 7
TEXT_FIELDS = (
    "appointment_id", "customer_id", "summary", "description", "po_number", "miles",
    "follow_up_in_days", "follow_up_duration_minutes", "follow_up_notes",
)
# What the schema wants as numbers; a form sends every value as text.
NUMBER_FIELDS = {"appointment_id", "customer_id", "minutes", "part_id", "quantity", "in_days", "duration_minutes"}
# Bounded: Python refuses to read an int of thousands of digits, and no field wants one.
WHOLE_NUMBER = re.compile(r"[+-]?\d{1,18}")
ROW_KINDS = ("labor", "parts")


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require_role(Role.TECHNICIAN)
def new_work_order():
    actor = current_actor()
    appointments = open_appointments(actor.id, APPOINTMENT_DAYS)
    customer_of_appointment = {str(visit.id): str(visit.customer_id) for visit in appointments}
    if request.method == "GET":
        # A link may name the appointment: /work-orders/new?appointment_id=88
        return _form_page(actor, appointments, _typed(request.args, customer_of_appointment))
    typed = _typed(request.form, customer_of_appointment)
    if request.form.get("add_row") in ROW_KINDS:
        # Without JavaScript the "Add another" buttons come here: the same form, one row longer.
        typed[request.form["add_row"]].append({})
        return _form_page(actor, appointments, typed)
    try:
        filed = _filed(typed)
        _status, work_order, _is_replay = run_once(
            actor.id, f"form:{typed['idempotency_key']}", fingerprint(filed), lambda: _file(filed, actor)
        )
    except DomainError as error:
        return _form_page(actor, appointments, typed, error), error.status_code
    flash(f"Work order {work_order['number']} filed.", "success")
    return redirect(url_for(".show_work_order", work_order_id=work_order["id"]))


def _file(filed: dict, actor) -> tuple[int, dict]:
    work_order = service.file_work_order(filed, actor)
    return 201, {"id": work_order.id, "number": work_order.number}


@bp.route("/<int:work_order_id>")
@login_required
@require_role(Role.TECHNICIAN)
def show_work_order(work_order_id):
    return render_template("workorders/show.html", work_order=service.get_work_order(work_order_id, current_actor()))


def _van_stock(actor, typed: dict) -> list[tuple]:
    """(part, quantity on hand) for the technician's van; an emptied shelf is left out
    unless the form already names that part, so a choice made is never dropped."""
    chosen = {row.get("part_id") for row in typed["parts"]}
    return [(part, quantity) for part, quantity in inventory.van_stock(actor.id) if quantity or str(part.id) in chosen]


def _typed(form, customer_of_appointment: dict) -> dict:
    """What the technician typed, as text, to show again; rows left blank are dropped."""
    typed = {name: form.get(name, "").strip() for name in TEXT_FIELDS}
    typed["idempotency_key"] = form.get("idempotency_key") or uuid.uuid4().hex
    if not typed["customer_id"]:
        # Picking an appointment picks its customer, with or without JavaScript.
        typed["customer_id"] = customer_of_appointment.get(typed["appointment_id"], "")
    typed["labor"] = [
        {"kind": kind, "minutes": minutes.strip()}
        for kind, minutes in zip(form.getlist("labor_kind"), form.getlist("labor_minutes"))
        if minutes.strip()
    ]
    typed["parts"] = [
        {"part_id": part_id.strip(), "quantity": quantity.strip()}
        for part_id, quantity in zip(form.getlist("part_id"), form.getlist("part_quantity"))
        if part_id.strip() or quantity.strip()
    ]
    return typed


def _filed(typed: dict) -> dict:
    """The typed form as FileWorkOrderSchema has it, loaded through that schema."""
    follow_up = _given(
        in_days=typed["follow_up_in_days"],
        duration_minutes=typed["follow_up_duration_minutes"],
        notes=typed["follow_up_notes"],
    )
    filed = _given(
        appointment_id=typed["appointment_id"],
        customer_id=typed["customer_id"],
        summary=typed["summary"],
        description=typed["description"],
        po_number=typed["po_number"],
        labor=[_given(**row) for row in typed["labor"]],
        parts=[_given(**row) for row in typed["parts"]],
        mileage=[{"miles": typed["miles"]}] if typed["miles"] else [],
        follow_up=follow_up or None,
    )
    try:
        return FileWorkOrderSchema().load(filed)
    except ValidationError as error:
        raise InvalidInput(errors=error.messages) from error


def _given(**typed) -> dict:
    """Blank means not given; "95" in a number field is the number 95 (anything else the schema refuses)."""
    return {
        name: int(value) if name in NUMBER_FIELDS and WHOLE_NUMBER.fullmatch(value) else value
        for name, value in typed.items()
        if value not in ("", None)
    }


def _form_page(actor, appointments: list, typed: dict, error: DomainError | None = None):
    return render_template(
        "workorders/new.html",
        form=typed,
        error=error,
        errors=errors_by_input(error.errors or {}) if error else {},
        appointments=appointments,
        customers=find_customers(),
        van_stock=_van_stock(actor, typed),
        labour_kinds=[(kind.value, service.LABOUR_NAMES[kind.value]) for kind in LabourKind],
    )


@bp.app_template_filter("company_time")
def company_time(moment: datetime) -> str:
    """A timestamp as the company reads it: "Mon 16 Mar 2026, 09:00 EDT"."""
    local = moment.astimezone(company_timezone())
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z}"
