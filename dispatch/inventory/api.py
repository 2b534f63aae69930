import re

from flask import Response, jsonify

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.permissions import STAFF
from dispatch.core.api import CSV_ON_REQUEST, Blueprint
from dispatch.inventory import reordering, reports, service
from dispatch.inventory.models import Part
from dispatch.inventory.schemas import (
    TECHNICIAN_PART_FIELDS,
    CreatePartSchema,
    CreateStockCountSchema,
    CreateStockReceiptSchema,
    CreateStockTransferSchema,
    LocationValueSchema,
    LowShelfSchema,
    MovementsQueryArgsSchema,
    PartHistorySchema,
    PartQueryArgsSchema,
    PartSchema,
    RestockQueryArgsSchema,
    RestockVanSchema,
    ShelfTargetsSchema,
    StockCountSchema,
    StockLevelSchema,
    StockLocationSchema,
    StockMovementSchema,
    StockQueryArgsSchema,
    StockTransferSchema,
    StockValuationQueryArgsSchema,
    UpdatePartSchema,
    VanRestockSchema,
)

blp = Blueprint("inventory_api", __name__, description="Parts, stock locations, stock levels and the stock ledger")


@blp.route("/parts", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(CreatePartSchema)
@blp.response(201, PartSchema)
def create_part(new_part):
    return service.create_part(**new_part)


@blp.route("/parts", methods=["GET"])
@blp.arguments(PartQueryArgsSchema, location="query")
@blp.response(200, PartSchema(many=True))
@blp.paginate()
def list_parts(query_args):
    """The parts catalogue; `q` searches SKU and name."""
    parts = service.parts_query(query_args["q"], query_args["category"], query_args["include_inactive"])
    if current_actor().is_technician:
        # Only the columns a technician may see are read: the answer's schema leaves out the costs it is not given.
        return parts.with_only_columns(*(getattr(Part, name) for name in TECHNICIAN_PART_FIELDS))
    return parts


@blp.route("/parts/<int:part_id>", methods=["GET"])
@blp.response(200, PartSchema)
def get_part(part_id):
    return _as_seen_by_caller(service.get_part(part_id))


@blp.route("/parts/<int:part_id>", methods=["PATCH"])
@require_role(*STAFF)
@blp.arguments(UpdatePartSchema)
@blp.response(200, PartSchema)
def update_part(changes, part_id):
    """Change the catalogue's entry; the average cost changes only with receipts."""
    return service.update_part(part_id, **changes)


def _as_seen_by_caller(part):
    """Technicians see the catalogue without costs, as on the parts page."""
    if current_actor().is_technician:
        return jsonify(PartSchema(only=TECHNICIAN_PART_FIELDS).dump(part))
    return part


@blp.route("/stock-locations", methods=["GET"])
@blp.response(200, StockLocationSchema(many=True))
@blp.paginate()
def list_stock_locations():
    return service.visible_locations(current_actor())


@blp.route("/stock/receipts", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(CreateStockReceiptSchema)
@blp.response(201, StockMovementSchema)
def receive_stock(receipt):
    return service.receive_stock(actor=current_actor(), **receipt)


@blp.route("/stock/transfers", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(CreateStockTransferSchema)
@blp.response(201, StockTransferSchema)
def transfer_stock(transfer):
    """Move parts between locations; 409 if the source has fewer than asked."""
    moved_out, moved_in = service.transfer_stock(actor=current_actor(), **transfer)
    return {"transfer_out": moved_out, "transfer_in": moved_in}


@blp.route("/stock/counts", methods=["POST"])
@blp.arguments(CreateStockCountSchema)
@blp.response(201, StockCountSchema)
def count_stock(count):
    """Post a count of one location: each counted part is set to what was counted, differences become adjustments.
    Technicians count their own van."""
    adjustments = service.count_shelves(count["location_id"], count["counts"], count["reason"], current_actor())
    return {"location_id": count["location_id"], "adjustments": adjustments}


@blp.route("/stock/targets", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(ShelfTargetsSchema)
@blp.response(200, StockLevelSchema)
def set_shelf_targets(targets):
    """A shelf's own reorder point and target level (a van's par level); null clears them."""
    return service.set_shelf_targets(**targets)


@blp.route("/stock", methods=["GET"])
@blp.arguments(StockQueryArgsSchema, location="query")
@blp.response(200, StockLevelSchema(many=True))
@blp.paginate()
def list_stock(query_args):
    return service.stock_levels_query(current_actor(), **query_args)


@blp.route("/stock/low", methods=["GET"])
@require_role(*STAFF)
@blp.response(200, LowShelfSchema(many=True))
@blp.paginate()
def list_low_stock():
    """Shelves at or below their reorder point, with the suggested quantity to order or restock."""
    return reordering.low_shelves()


@blp.route("/stock/restock-suggestions", methods=["GET"])
@require_role(*STAFF)
@blp.arguments(RestockQueryArgsSchema, location="query")
@blp.response(200, VanRestockSchema(many=True))
@blp.paginate()
def list_restock_suggestions(query_args):
    """What each van needs from the warehouse (the first one unless named) to reach its target levels."""
    return reordering.restock_suggestions(query_args["warehouse_id"] or service.warehouses()[0].id)


@blp.route("/stock-locations/<int:van_id>/restock", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(RestockVanSchema)
@blp.response(201, StockMovementSchema(many=True))
def restock_van(restock, van_id):
    """Transfer what the van needs from the warehouse, as far as the warehouse has it."""
    return reordering.restock_van(van_id, restock["warehouse_id"] or service.warehouses()[0].id, current_actor())


@blp.route("/stock/valuation", methods=["GET"])
@require_role(*STAFF)
@blp.arguments(StockValuationQueryArgsSchema, location="query")
@blp.response(200, LocationValueSchema(many=True))
@blp.paginate()
@blp.doc(**CSV_ON_REQUEST)
def stock_valuation(query_args):
    """Quantity × average cost per location; `format=csv` lists every shelf."""
    if query_args["format"] == "csv":
        return _csv(reports.valuation_csv(reports.shelf_values()), "stock-valuation.csv")
    return reports.location_values()


@blp.route("/stock/movements", methods=["GET"])
@require_role(*STAFF)
@blp.arguments(MovementsQueryArgsSchema, location="query")
@blp.response(200, PartHistorySchema)
@blp.doc(**CSV_ON_REQUEST)
def part_movements(query_args):
    """A part's movements in a date range (company time, both days included), with the running quantity."""
    history = reports.part_history(query_args["part_id"], query_args["from_on"], query_args["to_on"], query_args["location_id"])
    if query_args["format"] == "csv":
        sku = re.sub(r"[^A-Za-z0-9._-]", "_", history.part.sku)
        name = f"movements-{sku}-{query_args['from_on']}-to-{query_args['to_on']}.csv"
        return _csv(reports.history_csv(history), name)
    return history


def _csv(text: str, filename: str) -> Response:
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})
