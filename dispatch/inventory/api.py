from flask import jsonify

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.permissions import STAFF
from dispatch.core.api import Blueprint
from dispatch.inventory import service
from dispatch.inventory.schemas import (
    TECHNICIAN_PART_FIELDS,
    CreatePartSchema,
    CreateStockReceiptSchema,
    PartQueryArgsSchema,
    PartSchema,
    StockLevelSchema,
    StockLocationSchema,
    StockMovementSchema,
    StockQueryArgsSchema,
)

blp = Blueprint("inventory_api", __name__, description="Parts, stock locations and stock levels")


@blp.route("/parts", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(CreatePartSchema)
@blp.response(201, PartSchema)
def create_part(new_part):
    return service.create_part(**new_part)


@blp.route("/parts", methods=["GET"])
@blp.arguments(PartQueryArgsSchema, location="query")
@blp.response(200, PartSchema(many=True))
def list_parts(query_args):
    """The parts catalogue; `q` searches SKU and name."""
    return _as_seen_by_caller(service.find_parts(query_args["q"]), many=True)


@blp.route("/parts/<int:part_id>", methods=["GET"])
@blp.response(200, PartSchema)
def get_part(part_id):
    return _as_seen_by_caller(service.get_part(part_id))


def _as_seen_by_caller(parts, many: bool = False):
    """Technicians see the catalogue without costs, as on the parts page."""
    if current_actor().is_technician:
        return jsonify(PartSchema(many=many, only=TECHNICIAN_PART_FIELDS).dump(parts))
    return parts


@blp.route("/stock-locations", methods=["GET"])
@blp.response(200, StockLocationSchema(many=True))
def list_stock_locations():
    return service.visible_locations(current_actor())


@blp.route("/stock/receipts", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(CreateStockReceiptSchema)
@blp.response(201, StockMovementSchema)
def receive_stock(receipt):
    return service.receive_stock(actor=current_actor(), **receipt)


@blp.route("/stock", methods=["GET"])
@blp.arguments(StockQueryArgsSchema, location="query")
@blp.response(200, StockLevelSchema(many=True))
def list_stock(query_args):
    return service.stock_levels(current_actor(), **query_args)
