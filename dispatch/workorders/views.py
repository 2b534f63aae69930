"""The technician's pages: file a work order from the phone, then see what it came to."""
import re
import uuid
from datetime import datetime

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import login_required
from flask_wtf.csrf import generate_csrf
from marshmallow import ValidationError

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.models import Role
from dispatch.auth.permissions import STAFF
from dispatch.core.body_limits import FILING_WITH_PHOTOS, accepts_body_up_to
from dispatch.core.errors import Conflict, DomainError, InvalidInput
from dispatch.core.files import open_stored_file
from dispatch.core.idempotency import fingerprint, run_once
from dispatch.core.schemas import errors_by_input, load_form
from dispatch.core.time import company_timezone, company_today
from dispatch.customers.service import find_customers
from dispatch.inventory import service as inventory
from dispatch.scheduling.service import open_appointments
from dispatch.vehicles import service as vehicles
from dispatch.workorders import on_site, parts_used, service
from dispatch.workorders.models import LabourKind
from dispatch.workorders.parts_used import Grouping
from dispatch.workorders.schemas import FileWorkOrderSchema, PartsUsedQueryArgsSchema, VoidWorkOrderSchema

bp = Blueprint("workorders", __name__, url_prefix="/work-orders")

# How far ahead the appointment picker looks: today's jobs and the rest of the week.
APPOINTMENT_DAYS = 7
TEXT_FIELDS = (
    "appointment_id", "customer_id", "summary", "description", "po_number", "miles", "vehicle_id",
    "follow_up_in_days", "follow_up_duration_minutes", "follow_up_notes", "signed_by",
)
# What the schema wants as numbers; a form sends every value as text.
NUMBER_FIELDS = {"appointment_id", "customer_id", "minutes", "part_id", "quantity", "in_days", "duration_minutes", "vehicle_id"}
# Bounded: Python refuses to read an int of thousands of digits, and no field wants one.
WHOLE_NUMBER = re.compile(r"[+-]?\d{1,18}")
ROW_KINDS = ("labor", "parts")


@bp.route("/new", methods=["GET", "POST"])
@accepts_body_up_to(FILING_WITH_PHOTOS)
@login_required
@require_role(Role.TECHNICIAN)
def new_work_order():
    actor = current_actor()
    appointments = open_appointments(actor.id, APPOINTMENT_DAYS)
    customer_of_appointment = {str(visit.id): str(visit.customer_id) for visit in appointments}
    if request.method == "GET":
        # A link may name the appointment: /work-orders/new?appointment_id=88
        typed = _typed(request.args, customer_of_appointment)
        # Most days a technician drives the vehicle they drove last time.
        typed["vehicle_id"] = typed["vehicle_id"] or str(vehicles.last_vehicle_of(actor.id) or "")
        return _form_page(actor, appointments, typed)
    typed = _typed(request.form, customer_of_appointment)
    if request.form.get("add_row") in ROW_KINDS:
        # Without JavaScript the "Add another" buttons come here: the same form, one row longer.
        typed[request.form["add_row"]].append({})
        return _form_page(actor, appointments, typed)
    try:
        _status, work_order, _is_replay = _file_once(typed, actor)
    except DomainError as error:
        return _form_page(actor, appointments, typed, error), error.status_code
    flash(f"Work order {work_order['number']} filed.", "success")
    return redirect(url_for(".show_work_order", work_order_id=work_order["id"]))


@bp.route("/from-phone")
@login_required
@require_role(Role.TECHNICIAN)
def sending_token():
    """A fresh CSRF token for the phone's queue: the one in a page kept offline may have expired."""
    return jsonify(csrf_token=generate_csrf())


@bp.route("/from-phone", methods=["POST"])
@accepts_body_up_to(FILING_WITH_PHOTOS)
@login_required
@require_role(Role.TECHNICIAN)
def file_from_phone():
    """The phone sends a work order it kept (the same form, its key made on the phone); answers JSON.

    Sending again with the same key answers the first filing again, so a lost answer is safe to retry.
    """
    actor = current_actor()
    customer_of_appointment = {str(visit.id): str(visit.customer_id) for visit in open_appointments(actor.id, APPOINTMENT_DAYS)}
    try:
        if not request.form.get("idempotency_key"):
            raise InvalidInput.on_field("idempotency_key", "The phone names each work order with a key.")
        status, work_order, _is_replay = _file_once(_typed(request.form, customer_of_appointment), actor)
    except DomainError as error:
        body = {"message": error.message, "errors": errors_by_input(error.errors or {})}
        return jsonify(body), error.status_code, error.headers or {}
    return jsonify({**work_order, "url": url_for(".show_work_order", work_order_id=work_order["id"])}), status


def _file_once(typed: dict, actor) -> tuple[int, dict, bool]:
    filed = _filed(typed)
    # A file input left empty still sends a part, without a file name.
    uploads = {name: [upload for upload in request.files.getlist(name) if upload.filename] for name in ("signature", "photos")}
    arrived = on_site.OnSite(
        signed_by=typed["signed_by"], signature=next(iter(uploads["signature"]), None), photos=uploads["photos"],
    )
    # Photos are left out of the fingerprint: a phone resending the same key resends the same job.
    return run_once(
        actor.id, f"form:{typed['idempotency_key']}", fingerprint({**filed, "signed_by": typed["signed_by"]}),
        lambda: _file(filed, arrived, actor),
    )


def _file(filed: dict, arrived: on_site.OnSite, actor) -> tuple[int, dict]:
    work_order = on_site.file_work_order_on_site(filed, arrived, actor)
    return 201, {"id": work_order.id, "number": work_order.number}


@bp.route("/<int:work_order_id>")
@login_required
def show_work_order(work_order_id):
    """The technician's summary of their job; the office's page of any job, where it can be voided."""
    return _work_order_page(work_order_id)


def _work_order_page(work_order_id: int, error: DomainError | None = None):
    actor = current_actor()
    work_order = service.get_work_order(work_order_id, actor)
    if actor.is_technician:
        return render_template("workorders/show.html", work_order=work_order)
    return render_template(
        "workorders/office_show.html",
        work_order=work_order,
        error=error,
        errors=error.errors or {} if error else {},
        form=request.form if error else {},
    ), error.status_code if error else 200


@bp.route("/<int:work_order_id>/photos/<int:photo_id>")
@login_required
def show_photo(work_order_id, photo_id):
    """A photo of the job, to whoever may see the work order; never cached by shared caches."""
    photo = on_site.photo_of(work_order_id, photo_id, current_actor())
    return _private(send_file(open_stored_file(photo.path), mimetype=photo.content_type))


@bp.route("/<int:work_order_id>/signature")
@login_required
def show_signature(work_order_id):
    return _private(send_file(on_site.signature_of(work_order_id, current_actor()), mimetype="image/png"))


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:work_order_id>/void", methods=["POST"])
@login_required
@require_role(*STAFF)
def void_work_order(work_order_id):
    try:
        work_order = service.void_work_order(work_order_id, load_form(VoidWorkOrderSchema(), request.form)["reason"], current_actor())
    except (Conflict, InvalidInput) as error:
        return _work_order_page(work_order_id, error)
    flash(f"Work order {work_order.number} is void; its parts are back on the shelf.", "success")
    return redirect(url_for(".show_work_order", work_order_id=work_order.id))


@bp.route("/parts-used")
@login_required
@require_role(*STAFF)
def parts_used_report():
    """Parts used per technician, customer or month, with what they cost; as CSV with format=csv."""
    today = company_today()
    typed = request.args.to_dict() or {"by": "technician", "from": today.replace(day=1).isoformat(), "to": today.isoformat()}
    try:
        query = load_form(PartsUsedQueryArgsSchema(), typed)
        rows = parts_used.parts_used(query["by"], query["from_on"], query["to_on"])
    except InvalidInput as error:
        return render_template("workorders/parts_used.html", rows=[], form=typed, errors=error.errors or {}, groupings=list(Grouping)), 422
    if query["format"] == "csv":
        name = f"parts-used-by-{query['by']}-{query['from_on']}-to-{query['to_on']}.csv"
        return Response(parts_used.parts_used_csv(rows, query["by"]), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return render_template("workorders/parts_used.html", rows=rows, form=typed, errors={}, groupings=list(Grouping))


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
        mileage=[_given(miles=typed["miles"], vehicle_id=typed["vehicle_id"])] if typed["miles"] else [],
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
        vehicles=vehicles.vehicles_in_use(),
        van_stock=_van_stock(actor, typed),
        labour_kinds=[(kind.value, service.LABOUR_NAMES[kind.value]) for kind in LabourKind],
    )


@bp.app_template_filter("company_time")
def company_time(moment: datetime) -> str:
    """A timestamp as the company reads it: "Mon 16 Mar 2026, 09:00 EDT"."""
    local = moment.astimezone(company_timezone())
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z}"
