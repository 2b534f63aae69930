from marshmallow import fields, validate

from dispatch.core.money import Money
from dispatch.core.schemas import BaseSchema, Id, not_blank

NOT_NEGATIVE = validate.Range(min=0)


class PartSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    sku = fields.String()
    name = fields.String()
    unit_price = Money()
    unit_cost = Money(metadata={"description": "Moving-average cost; not shown to technicians."})
    is_taxable = fields.Boolean()
    is_active = fields.Boolean()


# A part as a technician sees it: the sell price, never what the company paid.
TECHNICIAN_PART_FIELDS = ("id", "sku", "name", "unit_price", "is_taxable", "is_active")


class CreatePartSchema(BaseSchema):
    sku = fields.String(required=True, validate=[validate.Length(min=1, max=64), not_blank])
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), not_blank])
    unit_price = Money(required=True, validate=NOT_NEGATIVE)
    unit_cost = Money(required=True, validate=NOT_NEGATIVE)
    is_taxable = fields.Boolean(load_default=True)


class PartQueryArgsSchema(BaseSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=200))


class StockLocationSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    technician_id = fields.Integer(allow_none=True)


class CreateStockReceiptSchema(BaseSchema):
    part_id = Id(required=True)
    location_id = Id(required=True)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1_000_000))
    unit_cost = Money(required=True, validate=NOT_NEGATIVE)
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))


class StockMovementSchema(BaseSchema):
    id = fields.Integer()
    part_id = fields.Integer()
    location_id = fields.Integer()
    kind = fields.String()
    quantity = fields.Integer()
    unit_cost = Money(allow_none=True)
    reference = fields.String(allow_none=True)
    created_at = fields.DateTime()


class StockLevelSchema(BaseSchema):
    part_id = fields.Integer()
    location_id = fields.Integer()
    quantity = fields.Integer()


class StockQueryArgsSchema(BaseSchema):
    part_id = Id(strict=False, load_default=None)
    location_id = Id(strict=False, load_default=None)
