from marshmallow import fields

from dispatch.core.money import Money
from dispatch.core.schemas import BaseSchema, Id


class PayAccrualSchema(BaseSchema):
    id = fields.Integer()
    technician_id = fields.Integer()
    work_order_id = fields.Integer(allow_none=True)
    kind = fields.String()
    hours = fields.Decimal(as_string=True, allow_none=True)
    rate = Money()
    amount = Money()
    accrued_on = fields.Date()


class PayAccrualQueryArgsSchema(BaseSchema):
    technician_id = Id(strict=False, load_default=None)
    on_or_after = fields.Date(data_key="from", load_default=None)
    on_or_before = fields.Date(data_key="to", load_default=None)
