from marshmallow import fields, validate

from dispatch.core.money import Money
from dispatch.core.schemas import BaseSchema, Id, not_blank

NOT_NEGATIVE = validate.Range(min=0)
# Parts are counted in whole units of their unit of measure: 2.5 of anything is refused.
MOST_ON_A_SHELF = 1_000_000


def whole_count(minimum: int, **kwargs) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=minimum, max=MOST_ON_A_SHELF), **kwargs)


class PartSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    sku = fields.String()
    name = fields.String()
    unit = fields.String()
    category = fields.String(allow_none=True)
    unit_price = Money()
    unit_cost = Money(metadata={"description": "Moving-average cost; not shown to technicians."})
    is_taxable = fields.Boolean()
    reorder_point = fields.Integer(allow_none=True)
    reorder_quantity = fields.Integer(allow_none=True)
    is_active = fields.Boolean()


# A part as a technician sees it: the sell price, never what the company paid.
TECHNICIAN_PART_FIELDS = ("id", "sku", "name", "unit", "category", "unit_price", "is_taxable", "is_active")


class UpdatePartSchema(BaseSchema):
    name = fields.String(validate=[validate.Length(min=1, max=200), not_blank])
    unit = fields.String(validate=[validate.Length(min=1, max=20), not_blank])
    category = fields.String(allow_none=True, validate=validate.Length(max=60))
    unit_price = Money(validate=NOT_NEGATIVE)
    is_taxable = fields.Boolean()
    reorder_point = whole_count(0, allow_none=True)
    reorder_quantity = whole_count(1, allow_none=True)
    is_active = fields.Boolean()


class CreatePartSchema(BaseSchema):
    sku = fields.String(required=True, validate=[validate.Length(min=1, max=64), not_blank])
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), not_blank])
    unit = fields.String(load_default="each", validate=[validate.Length(min=1, max=20), not_blank])
    category = fields.String(allow_none=True, validate=validate.Length(max=60))
    unit_price = Money(required=True, validate=NOT_NEGATIVE)
    unit_cost = Money(required=True, validate=NOT_NEGATIVE)
    is_taxable = fields.Boolean(load_default=True)
    reorder_point = whole_count(0, allow_none=True)
    reorder_quantity = whole_count(1, allow_none=True)


class PartQueryArgsSchema(BaseSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=200))
    category = fields.String(load_default=None, validate=validate.Length(max=60))
    include_inactive = fields.Boolean(load_default=False)


class StockLocationSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    technician_id = fields.Integer(allow_none=True)


class CreateStockReceiptSchema(BaseSchema):
    part_id = Id(required=True)
    location_id = Id(required=True)
    quantity = whole_count(1, required=True)
    unit_cost = Money(required=True, validate=NOT_NEGATIVE)
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120),
                              metadata={"description": "The supplier's delivery note or invoice number."})


class CreateStockTransferSchema(BaseSchema):
    part_id = Id(required=True)
    from_location_id = Id(required=True)
    to_location_id = Id(required=True)
    quantity = whole_count(1, required=True)
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))


class CountedPartSchema(BaseSchema):
    part_id = Id(required=True)
    counted = whole_count(0, required=True)


class CreateStockCountSchema(BaseSchema):
    location_id = Id(required=True)
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=2000), not_blank])
    counts = fields.List(fields.Nested(CountedPartSchema), required=True, validate=validate.Length(min=1, max=1000))


class ShelfTargetsSchema(BaseSchema):
    part_id = Id(required=True)
    location_id = Id(required=True)
    reorder_point = whole_count(0, load_default=None, allow_none=True)
    target_quantity = whole_count(0, load_default=None, allow_none=True)


class StockMovementSchema(BaseSchema):
    id = fields.Integer()
    part_id = fields.Integer()
    location_id = fields.Integer()
    kind = fields.String()
    quantity = fields.Integer()
    unit_cost = Money(allow_none=True)
    reference = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()


class StockTransferSchema(BaseSchema):
    transfer_out = fields.Nested(StockMovementSchema)
    transfer_in = fields.Nested(StockMovementSchema)


class StockCountSchema(BaseSchema):
    location_id = fields.Integer()
    adjustments = fields.List(fields.Nested(StockMovementSchema))


class StockLevelSchema(BaseSchema):
    part_id = fields.Integer()
    location_id = fields.Integer()
    quantity = fields.Integer()
    reorder_point = fields.Integer(allow_none=True, metadata={"description": "This shelf's own; the part's applies when none."})
    target_quantity = fields.Integer(allow_none=True)


class StockQueryArgsSchema(BaseSchema):
    part_id = Id(strict=False, load_default=None)
    location_id = Id(strict=False, load_default=None)


class LowShelfSchema(BaseSchema):
    part_id = fields.Integer(attribute="level.part_id")
    sku = fields.String(attribute="level.part.sku")
    location_id = fields.Integer(attribute="level.location_id")
    quantity = fields.Integer(attribute="level.quantity")
    reorder_point = fields.Integer()
    suggested_quantity = fields.Integer(attribute="suggested")


class RestockLineSchema(BaseSchema):
    part_id = fields.Integer(attribute="part.id")
    sku = fields.String(attribute="part.sku")
    on_van = fields.Integer()
    target = fields.Integer()
    needed = fields.Integer()
    in_warehouse = fields.Integer()
    to_send = fields.Integer()


class VanRestockSchema(BaseSchema):
    van_id = fields.Integer(attribute="van.id")
    technician_id = fields.Integer(attribute="van.technician_id")
    lines = fields.List(fields.Nested(RestockLineSchema))


class RestockQueryArgsSchema(BaseSchema):
    warehouse_id = Id(strict=False, load_default=None)


class RestockVanSchema(BaseSchema):
    warehouse_id = Id(load_default=None)


class LocationValueSchema(BaseSchema):
    location_id = fields.Integer(attribute="location.id")
    name = fields.String(attribute="location.name")
    quantity = fields.Integer()
    value = Money()


class StockValuationQueryArgsSchema(BaseSchema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class MovementsQueryArgsSchema(BaseSchema):
    part_id = Id(strict=False, required=True)
    location_id = Id(strict=False, load_default=None)
    from_on = fields.Date(required=True, data_key="from")
    to_on = fields.Date(required=True, data_key="to")
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class MovementLineSchema(BaseSchema):
    movement = fields.Nested(StockMovementSchema)
    balance = fields.Integer(metadata={"description": "On hand after this movement."})


class PartHistorySchema(BaseSchema):
    part_id = fields.Integer(attribute="part.id")
    opening = fields.Integer()
    closing = fields.Integer()
    movements = fields.List(fields.Nested(MovementLineSchema), attribute="lines")
