from marshmallow import fields, validate

from dispatch.core.schemas import BaseSchema, Id
from dispatch.scheduling.models import AppointmentKind


class AppointmentSchema(BaseSchema):
    id = fields.Integer()
    customer_id = fields.Integer()
    site_id = fields.Integer(allow_none=True)
    technician_id = fields.Integer(allow_none=True)
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    status = fields.String()
    kind = fields.String()
    notes = fields.String(allow_none=True)


class BookAppointmentSchema(BaseSchema):
    customer_id = Id(required=True)
    technician_id = Id(required=True, allow_none=True)
    site_id = Id(load_default=None)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    kind = fields.String(load_default=AppointmentKind.VISIT, validate=validate.OneOf([kind.value for kind in AppointmentKind]))
    notes = fields.String(load_default=None, validate=validate.Length(max=2000))


class AppointmentQueryArgsSchema(BaseSchema):
    technician_id = Id(strict=False, load_default=None)
    starts_from = fields.AwareDateTime(data_key="from", load_default=None)
    starts_before = fields.AwareDateTime(data_key="to", load_default=None)
