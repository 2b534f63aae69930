from marshmallow import ValidationError, fields, validate, validates_schema

from dispatch.core.schemas import BaseSchema, Id, not_blank
from dispatch.scheduling.models import AppointmentKind, AppointmentStatus

KINDS = validate.OneOf([kind.value for kind in AppointmentKind])


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
    maintenance_plan_id = fields.Integer(allow_none=True)


class AppointmentChangeSchema(BaseSchema):
    id = fields.Integer()
    action = fields.String()
    changed_by_id = fields.Integer(allow_none=True)
    changed_at = fields.AwareDateTime()
    old_technician_id = fields.Integer(allow_none=True)
    new_technician_id = fields.Integer(allow_none=True)
    old_starts_at = fields.AwareDateTime(allow_none=True)
    new_starts_at = fields.AwareDateTime(allow_none=True)
    old_ends_at = fields.AwareDateTime(allow_none=True)
    new_ends_at = fields.AwareDateTime(allow_none=True)
    old_status = fields.String(allow_none=True)
    new_status = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class BookAppointmentSchema(BaseSchema):
    customer_id = Id(required=True)
    technician_id = Id(required=True, allow_none=True)
    site_id = Id(load_default=None)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    kind = fields.String(load_default=AppointmentKind.VISIT, validate=KINDS)
    notes = fields.String(load_default=None, validate=validate.Length(max=2000))
    # The dispatcher's explicit "book it anyway": outside working hours, during time off, or in the past.
    override = fields.Boolean(load_default=False)


class MoveAppointmentSchema(BaseSchema):
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    technician_id = Id(allow_none=True)
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))
    note = fields.String(load_default=None, validate=validate.Length(max=500))
    override = fields.Boolean(load_default=False)

    @validates_schema
    def _ends_need_a_start(self, moved, **kwargs):
        if "ends_at" in moved and "starts_at" not in moved:
            raise ValidationError("Give the new start with the new end.", "starts_at")


class CancelAppointmentSchema(BaseSchema):
    reason = fields.String(required=True, validate=[not_blank, validate.Length(max=500)])


class AppointmentStatusSchema(BaseSchema):
    status = fields.Enum(AppointmentStatus, by_value=True, required=True)
    note = fields.String(load_default=None, validate=validate.Length(max=500))


class AppointmentQueryArgsSchema(BaseSchema):
    technician_id = Id(strict=False, load_default=None)
    starts_from = fields.AwareDateTime(data_key="from", load_default=None)
    starts_before = fields.AwareDateTime(data_key="to", load_default=None)


class WorkingDaySchema(BaseSchema):
    weekday = fields.Integer(required=True, validate=validate.Range(0, 6))
    starts_at = fields.Time(required=True)
    ends_at = fields.Time(required=True)


class WeeklyHoursSchema(BaseSchema):
    days = fields.List(fields.Nested(WorkingDaySchema), required=True, validate=validate.Length(max=7))

    @validates_schema
    def _one_shift_a_day(self, week, **kwargs):
        weekdays = [day["weekday"] for day in week.get("days", [])]
        if len(weekdays) != len(set(weekdays)):
            raise ValidationError("One shift a day: a weekday is listed twice.", "days")


class TimeOffSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    technician_id = fields.Integer(dump_only=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    reason = fields.String(load_default=None, validate=validate.Length(max=200))


class FirstFreeSlotArgsSchema(BaseSchema):
    technician_id = Id(strict=False, required=True)
    on_or_after = fields.Date(required=True)
    minutes = fields.Integer(required=True, validate=validate.Range(1, 1440))


class FreeTechniciansArgsSchema(BaseSchema):
    day = fields.Date(required=True)
    minutes = fields.Integer(required=True, validate=validate.Range(1, 1440))


class FreeSlotSchema(BaseSchema):
    technician_id = fields.Integer()
    technician_name = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()


class MaintenancePlanSchema(BaseSchema):
    id = fields.Integer()
    customer_id = fields.Integer()
    site_id = fields.Integer(allow_none=True)
    technician_id = fields.Integer(allow_none=True)
    rrule = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    visit_time = fields.Time(format="%H:%M")
    minutes = fields.Integer()
    days_ahead = fields.Integer()
    notes = fields.String(allow_none=True)
    is_active = fields.Boolean()


class UpdateMaintenancePlanSchema(BaseSchema):
    """How often is one of: an RRULE (RFC 5545, e.g. "FREQ=MONTHLY;INTERVAL=3"), every_weeks, every_months."""

    site_id = Id(allow_none=True)
    technician_id = Id(allow_none=True)
    rrule = fields.String(validate=validate.Length(min=1, max=200))
    every_weeks = fields.Integer(validate=validate.Range(1, 52))
    every_months = fields.Integer(validate=validate.Range(1, 24))
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    # Wall-clock time in the company's timezone: 09:00 stays 09:00 across DST changes.
    visit_time = fields.Time()
    minutes = fields.Integer(validate=validate.Range(1, 1440))
    days_ahead = fields.Integer(validate=validate.Range(1, 366))
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))

    @validates_schema
    def _one_way_to_say_how_often(self, plan, **kwargs):
        given = [name for name in ("rrule", "every_weeks", "every_months") if name in plan]
        if len(given) > 1:
            raise ValidationError(f"Give one of rrule, every_weeks, every_months, not {' and '.join(given)}.", given[-1])


class CreateMaintenancePlanSchema(UpdateMaintenancePlanSchema):
    customer_id = Id(required=True)
    visit_time = fields.Time(required=True)
    minutes = fields.Integer(required=True, validate=validate.Range(1, 1440))


class MaintenancePlanQueryArgsSchema(BaseSchema):
    customer_id = Id(strict=False, load_default=None)
    is_active = fields.Boolean(load_default=None)


class CalendarFeedSchema(BaseSchema):
    url = fields.String()


class MaintenancePlanFormSchema(CreateMaintenancePlanSchema):
    """The office page's form: every value arrives as text."""

    customer_id = Id(strict=False, required=True)
    technician_id = Id(strict=False, allow_none=True)
    site_id = Id(strict=False, allow_none=True)
