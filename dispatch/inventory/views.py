"""The catalogue and stock pages: parts, levels, receipts, transfers, restocking, counts and reports."""
import re
from datetime import timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.permissions import STAFF
from dispatch.core.errors import DomainError, InvalidInput
from dispatch.core.schemas import errors_by_input, load_form
from dispatch.core.time import company_today
from dispatch.inventory import reordering, reports, service
from dispatch.inventory.schemas import (
    CreatePartSchema,
    CreateStockCountSchema,
    CreateStockReceiptSchema,
    CreateStockTransferSchema,
    MovementsQueryArgsSchema,
    PartQueryArgsSchema,
    ShelfTargetsSchema,
    UpdatePartSchema,
)

bp = Blueprint("inventory", __name__, url_prefix="/parts")
stock_bp = Blueprint("stock", __name__, url_prefix="/stock")

# Bounded: Python refuses to read an int of thousands of digits, and no field wants one.
WHOLE_NUMBER = re.compile(r"[+-]?\d{1,18}")
NUMBER_FIELDS = {"part_id", "location_id", "from_location_id", "to_location_id", "quantity", "reorder_point",
                 "reorder_quantity", "target_quantity"}
# Blank means none on these: no category, no reorder point.
BLANK_IS_NONE = ("category", "reorder_point", "reorder_quantity", "target_quantity")


def _typed(form, checkboxes: tuple[str, ...] = ()) -> dict:
    """A form as the schemas have it: "12" in a number field is 12 (anything else the schema refuses),
    an unticked checkbox is false, blank is not given (or none, where none is allowed)."""
    typed = {name: value.strip() for name, value in form.items() if name != "csrf_token"}
    for name in checkboxes:
        typed[name] = name in form
    for name, value in list(typed.items()):
        if name in BLANK_IS_NONE and value == "":
            typed[name] = None
        elif value == "":
            del typed[name]
        elif name in NUMBER_FIELDS and WHOLE_NUMBER.fullmatch(value):
            typed[name] = int(value)
    return typed


def _loaded(schema, form, checkboxes: tuple[str, ...] = ()) -> dict:
    try:
        return schema.load(_typed(form, checkboxes))
    except ValidationError as error:
        raise InvalidInput(errors=error.messages) from error


# The catalogue -------------------------------------------------------------------------------


@bp.route("/")
@login_required
def list_parts():
    query = load_form(PartQueryArgsSchema(), request.args)
    include_inactive = query["include_inactive"] and not current_actor().is_technician
    return render_template(
        "inventory/parts.html",
        parts=service.find_parts(query["q"], query["category"], include_inactive),
        search=query["q"] or "",
        category=query["category"] or "",
        categories=service.part_categories(),
        include_inactive=include_inactive,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require_role(*STAFF)
def new_part():
    if request.method == "GET":
        return render_template("inventory/part_form.html", part=None, form={"is_taxable": "on", "unit": "each"}, errors={}, categories=service.part_categories())
    try:
        part = service.create_part(**_loaded(CreatePartSchema(), request.form, checkboxes=("is_taxable",)))
    except InvalidInput as error:
        return render_template("inventory/part_form.html", part=None, form=request.form, errors=errors_by_input(error.errors or {}), categories=service.part_categories()), 422
    flash(f"Part {part.sku} added.", "success")
    return redirect(url_for("inventory.list_parts"))


@bp.route("/<int:part_id>/edit", methods=["GET", "POST"])
@login_required
@require_role(*STAFF)
def edit_part(part_id):
    part = service.get_part(part_id)
    if request.method == "GET":
        form = {name: "" if getattr(part, name) is None else getattr(part, name) for name in UpdatePartSchema().fields}
        return render_template("inventory/part_form.html", part=part, form=form, errors={}, categories=service.part_categories())
    try:
        service.update_part(part_id, **_loaded(UpdatePartSchema(), request.form, checkboxes=("is_taxable", "is_active")))
    except InvalidInput as error:
        return render_template("inventory/part_form.html", part=part, form=request.form, errors=errors_by_input(error.errors or {}), categories=service.part_categories()), 422
    flash(f"Part {part.sku} saved.", "success")
    return redirect(url_for("inventory.list_parts", include_inactive="true" if not part.is_active else None))


# Levels --------------------------------------------------------------------------------------


@stock_bp.route("/")
@login_required
def show_levels():
    """One location's shelves: a technician starts at their van, the office at the warehouse."""
    actor = current_actor()
    locations = service.visible_locations(actor)
    chosen = request.args.get("location_id", "")
    if WHOLE_NUMBER.fullmatch(chosen):
        location = service.get_location(int(chosen), actor)
    else:
        location = next((place for place in locations if place.technician_id == actor.id), None) or service.warehouses()[0]
    return _levels_page(location, locations)


def _levels_page(location, locations=None, error: DomainError | None = None):
    actor = current_actor()
    return render_template(
        "inventory/levels.html",
        location=location,
        locations=locations or service.visible_locations(actor),
        shelves=service.shelves_of(location),
        parts=service.find_parts() if not actor.is_technician else [],
        may_count=not actor.is_technician or location.technician_id == actor.id,
        error=error,
        errors=errors_by_input(error.errors or {}) if error else {},
        form=request.form if error else {},
    ), error.status_code if error else 200


@stock_bp.route("/targets", methods=["POST"])
@login_required
@require_role(*STAFF)
def set_targets():
    location_id = request.form.get("location_id", "")
    location = service.get_location(int(location_id), current_actor()) if WHOLE_NUMBER.fullmatch(location_id) else None
    if location is None:
        raise InvalidInput.on_field("location_id", "No such stock location.")
    try:
        level = service.set_shelf_targets(**_loaded(ShelfTargetsSchema(), request.form))
    except InvalidInput as error:
        return _levels_page(location, error=error)
    flash(f"Targets for {level.part.sku} in {location.name} saved.", "success")
    return redirect(url_for("stock.show_levels", location_id=location.id))


# Receipts and transfers ----------------------------------------------------------------------


@stock_bp.route("/receipts/new", methods=["GET", "POST"])
@login_required
@require_role(*STAFF)
def receive_stock():
    if request.method == "GET":
        return _booking_page("inventory/receipt.html", form=request.args)
    try:
        movement = service.receive_stock(actor=current_actor(), **_loaded(CreateStockReceiptSchema(), request.form))
    except DomainError as error:
        return _booking_page("inventory/receipt.html", error=error)
    flash(f"Received {movement.quantity} {movement.part.unit} of {movement.part.sku} into {movement.location.name}.", "success")
    return redirect(url_for("stock.show_levels", location_id=movement.location_id))


@stock_bp.route("/transfers/new", methods=["GET", "POST"])
@login_required
@require_role(*STAFF)
def transfer_stock():
    if request.method == "GET":
        return _booking_page("inventory/transfer.html", form=request.args)
    try:
        moved_out, moved_in = service.transfer_stock(actor=current_actor(), **_loaded(CreateStockTransferSchema(), request.form))
    except DomainError as error:
        return _booking_page("inventory/transfer.html", error=error)
    flash(f"Moved {moved_in.quantity} {moved_in.part.unit} of {moved_in.part.sku} from {moved_out.location.name} to {moved_in.location.name}.", "success")
    return redirect(url_for("stock.show_levels", location_id=moved_in.location_id))


def _booking_page(template: str, form=None, error: DomainError | None = None):
    return render_template(
        template,
        parts=service.find_parts(),
        locations=service.visible_locations(current_actor()),
        form=request.form if error else (form or {}),
        error=error,
        errors=errors_by_input(error.errors or {}) if error else {},
    ), error.status_code if error else 200


# Restocking ----------------------------------------------------------------------------------


@stock_bp.route("/restock")
@login_required
@require_role(*STAFF)
def show_restock():
    warehouse = service.warehouses()[0]
    return render_template(
        "inventory/restock.html",
        warehouse=warehouse,
        low=reordering.low_shelves(),
        restocks=reordering.restock_suggestions(warehouse.id),
    )


@stock_bp.route("/restock/<int:van_id>", methods=["POST"])
@login_required
@require_role(*STAFF)
def restock_van(van_id):
    warehouse = service.warehouses()[0]
    try:
        movements = reordering.restock_van(van_id, warehouse.id, current_actor())
    except DomainError as error:
        flash(f"Nothing was moved. {' '.join(' '.join(messages) for messages in (error.errors or {}).values()) or error.message}", "error")
        return redirect(url_for("stock.show_restock"))
    van = movements[-1].location
    flash(f"{van.name} restocked: {len(movements) // 2} part{'s' if len(movements) > 2 else ''} moved from {warehouse.name}.", "success")
    return redirect(url_for("stock.show_restock"))


# Counting ------------------------------------------------------------------------------------


@stock_bp.route("/count/<int:location_id>", methods=["GET", "POST"])
@login_required
def count_location(location_id):
    """A phone page: the shelves of one location, a box for each; what is left blank is not counted."""
    actor = current_actor()
    location = service.get_location(location_id, actor)
    service.ensure_may_count(location, actor)
    shelves = service.shelves_of(location)
    if request.method == "GET":
        return _count_page(location, shelves)
    typed = {shelf.part_id: request.form.get(f"counted_{shelf.part_id}", "").strip() for shelf in shelves}
    counted = [(part_id, value) for part_id, value in typed.items() if value]
    submitted = {
        "location_id": location.id,
        "reason": request.form.get("reason", ""),
        "counts": [{"part_id": part_id, "counted": int(value) if WHOLE_NUMBER.fullmatch(value) else value} for part_id, value in counted],
    }
    try:
        adjustments = service.count_shelves(actor=actor, **_loaded_count(submitted))
    except DomainError as error:
        return _count_page(location, shelves, error, _count_errors(error, counted)), error.status_code
    flash(f"Count posted for {location.name}: {len(adjustments)} adjustment{'' if len(adjustments) == 1 else 's'}.", "success")
    return redirect(url_for("stock.show_levels", location_id=location.id))


def _loaded_count(submitted: dict) -> dict:
    try:
        count = CreateStockCountSchema().load(submitted)
    except ValidationError as error:
        raise InvalidInput(errors=error.messages) from error
    return {"location_id": count["location_id"], "counts": count["counts"], "reason": count["reason"]}


def _count_errors(error: DomainError, counted: list[tuple[int, str]]) -> dict:
    """The schema's errors ({"counts": {0: {"counted": [...]}}}) keyed by the input they are about."""
    errors = dict(error.errors or {})
    per_line = errors.pop("counts", {})
    if isinstance(per_line, dict):
        for index, messages in per_line.items():
            errors[f"counted_{counted[int(index)][0]}"] = [message for field in messages.values() for message in field]
    elif per_line:
        errors["counts"] = per_line
    return errors


def _count_page(location, shelves, error: DomainError | None = None, errors: dict | None = None):
    return render_template(
        "inventory/count.html", location=location, shelves=shelves, error=error, errors=errors or {},
        form=request.form if error else {"reason": "Shelf count"},
    )


# Reports -------------------------------------------------------------------------------------


@stock_bp.route("/reports")
@login_required
@require_role(*STAFF)
def show_reports():
    today = company_today()
    history, error = None, None
    if request.args.get("part_id"):
        try:
            query = _loaded(MovementsQueryArgsSchema(), request.args)
            history = reports.part_history(query["part_id"], query["from_on"], query["to_on"], query["location_id"])
        except InvalidInput as refused:
            error = refused
    return render_template(
        "inventory/reports.html",
        values=reports.location_values(),
        parts=service.find_parts(include_inactive=True),
        locations=service.visible_locations(current_actor()),
        history=history,
        form=request.args if request.args else {"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()},
        error=error,
        errors=errors_by_input(error.errors or {}) if error else {},
        today=today,
    ), error.status_code if error else 200


@stock_bp.route("/reports/valuation.csv")
@login_required
@require_role(*STAFF)
def valuation_csv():
    return Response(
        reports.valuation_csv(reports.shelf_values()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="stock-valuation-{company_today().isoformat()}.csv"'},
    )


@stock_bp.route("/reports/movements.csv")
@login_required
@require_role(*STAFF)
def movements_csv():
    query = _loaded(MovementsQueryArgsSchema(), request.args)
    history = reports.part_history(query["part_id"], query["from_on"], query["to_on"], query["location_id"])
    sku = re.sub(r"[^A-Za-z0-9._-]", "_", history.part.sku)
    return Response(
        reports.history_csv(history),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="movements-{sku}-{query["from_on"]}-to-{query["to_on"]}.csv"'},
    )
