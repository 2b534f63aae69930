from marshmallow import fields, validate

from dispatch.core.money import Money
from dispatch.core.schemas import MONTH, BaseSchema, not_blank


class AddVehicleSchema(BaseSchema):
    name = fields.String(required=True, validate=[validate.Length(min=1, max=80), not_blank])
    registration = fields.String(load_default=None, validate=validate.Length(max=20))


class VehicleSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    registration = fields.String(allow_none=True)
    is_active = fields.Boolean()


class MileageReportQueryArgsSchema(BaseSchema):
    month = fields.String(required=True, validate=MONTH)


class VehicleMilesSchema(BaseSchema):
    vehicle_id = fields.Integer()
    name = fields.String()
    miles = fields.Decimal(places=1, as_string=True)


class TechnicianMilesSchema(BaseSchema):
    technician_id = fields.Integer()
    name = fields.String()
    miles = fields.Decimal(places=1, as_string=True)
    billed = Money()
    reimbursed = Money()


class MileageReportSchema(BaseSchema):
    month = fields.String()
    by_vehicle = fields.List(fields.Nested(VehicleMilesSchema))
    by_technician = fields.List(fields.Nested(TechnicianMilesSchema))
