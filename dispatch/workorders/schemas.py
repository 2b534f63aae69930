from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from dispatch.core.money import Money
from dispatch.core.schemas import BaseSchema, Id, not_blank
from dispatch.workorders.models import LabourKind
from dispatch.workorders.parts_used import Grouping

MINUTES_IN_A_DAY = 24 * 60


class LabourEntryInputSchema(BaseSchema):
    kind = fields.String(required=True, validate=validate.OneOf([kind.value for kind in LabourKind]))
    minutes = fields.Integer(strict=True, validate=validate.Range(min=1, max=MINUTES_IN_A_DAY))
    started_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime()
    is_billable = fields.Boolean(load_default=True)

    @validates_schema
    def minutes_or_start_and_end(self, entry, **_kwargs):
        has_times = "started_at" in entry or "ended_at" in entry
        if "minutes" in entry and has_times:
            raise ValidationError("Give minutes, or start and end times, not both.", "minutes")
        if "minutes" in entry:
            return
        if "started_at" not in entry or "ended_at" not in entry:
            raise ValidationError("Give minutes, or both start and end times.", "minutes")
        worked = (entry["ended_at"] - entry["started_at"]).total_seconds() / 60
        if worked < 1:
            raise ValidationError("The end must be after the start.", "ended_at")
        if worked > MINUTES_IN_A_DAY:
            raise ValidationError("One labour entry cannot be longer than 24 hours.", "ended_at")


class PartUsedInputSchema(BaseSchema):
    part_id = Id(required=True)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10_000))
    location_id = Id(load_default=None)


class MileageInputSchema(BaseSchema):
    miles = fields.Decimal(required=True, places=1, as_string=True, validate=validate.Range(min=Decimal("0.1"), max=2000))
    vehicle = fields.String(load_default=None, validate=validate.Length(max=80))
    vehicle_id = Id(load_default=None)


class FollowUpInputSchema(BaseSchema):
    in_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=365))
    duration_minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=15, max=9 * 60))
    notes = fields.String(load_default=None, validate=validate.Length(max=2000))


class FileWorkOrderSchema(BaseSchema):
    customer_id = Id(required=True)
    technician_id = Id(load_default=None)
    appointment_id = Id(load_default=None)
    site_id = Id(load_default=None)
    estimate_id = Id(load_default=None)
    summary = fields.String(required=True, validate=[validate.Length(min=1, max=200), not_blank])
    description = fields.String(load_default=None, validate=validate.Length(max=10_000))
    labor = fields.List(fields.Nested(LabourEntryInputSchema), load_default=list, validate=validate.Length(max=50))
    parts = fields.List(fields.Nested(PartUsedInputSchema), load_default=list, validate=validate.Length(max=100))
    mileage = fields.List(fields.Nested(MileageInputSchema), load_default=list, validate=validate.Length(max=20))
    follow_up = fields.Nested(FollowUpInputSchema, load_default=None)
    po_number = fields.String(load_default=None, validate=validate.Length(max=64))

    @validates_schema
    def something_to_bill(self, work_order, **_kwargs):
        if not (work_order.get("labor") or work_order.get("parts") or work_order.get("mileage")):
            raise ValidationError("Add labour, parts or mileage.", "labor")


class InvoiceSummarySchema(BaseSchema):
    id = fields.Integer()
    number = fields.String()
    total = Money()


class AppointmentSlotSchema(BaseSchema):
    id = fields.Integer()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()


class LabourEntrySchema(BaseSchema):
    kind = fields.String()
    minutes = fields.Integer()
    started_at = fields.AwareDateTime(allow_none=True)
    ended_at = fields.AwareDateTime(allow_none=True)
    is_billable = fields.Boolean()


class PartUsageSchema(BaseSchema):
    part_id = fields.Integer()
    location_id = fields.Integer()
    quantity = fields.Integer()
    unit_price = Money()


class MileageEntrySchema(BaseSchema):
    miles = fields.Decimal(places=1, as_string=True)
    vehicle = fields.String(allow_none=True)
    vehicle_id = fields.Integer(allow_none=True)


class WorkOrderSchema(BaseSchema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    customer_id = fields.Integer()
    site_id = fields.Integer(allow_none=True)
    technician_id = fields.Integer()
    appointment_id = fields.Integer(allow_none=True)
    summary = fields.String()
    description = fields.String(allow_none=True)
    po_number = fields.String(allow_none=True)
    filed_at = fields.AwareDateTime()
    labor = fields.List(fields.Nested(LabourEntrySchema), attribute="labour")
    parts = fields.List(fields.Nested(PartUsageSchema))
    mileage = fields.List(fields.Nested(MileageEntrySchema))
    estimate_id = fields.Integer(allow_none=True)
    invoice_id = fields.Integer(attribute="invoice.id")
    invoice = fields.Nested(InvoiceSummarySchema)
    follow_up_appointment = fields.Nested(AppointmentSlotSchema, allow_none=True)
    pay_accrued = Money()
    voided_at = fields.AwareDateTime(allow_none=True)
    voided_by_id = fields.Integer(allow_none=True)
    void_reason = fields.String(allow_none=True)


class VoidWorkOrderSchema(BaseSchema):
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=2000), not_blank])


class PartsUsedQueryArgsSchema(BaseSchema):
    by = fields.Enum(Grouping, by_value=True, required=True)
    from_on = fields.Date(required=True, data_key="from")
    to_on = fields.Date(required=True, data_key="to")
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class PartsUsedRowSchema(BaseSchema):
    group = fields.String()
    sku = fields.String()
    name = fields.String()
    category = fields.String(allow_none=True)
    quantity = fields.Integer()
    cost = Money()
    sales = Money()
