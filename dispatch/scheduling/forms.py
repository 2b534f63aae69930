"""The scheduling pages' forms, read through marshmallow like the API's bodies.

A browser's date-and-time input sends wall-clock time without an offset ("2026-03-16T09:00"):
it is the company's time, made aware here, so the services only ever see aware moments.
"""
from datetime import datetime, timedelta

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from dispatch.core.schemas import BaseSchema, Id, not_blank
from dispatch.core.time import company_timezone
from dispatch.scheduling.models import AppointmentKind
from dispatch.scheduling.schemas import KINDS

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class CompanyDateTime(fields.NaiveDateTime):
    """A date and time typed in the company's timezone, loaded as an aware datetime."""

    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).replace(tzinfo=company_timezone())


def local_input(moment: datetime) -> str:
    """A moment as a date-and-time input shows it, in company time."""
    return moment.astimezone(company_timezone()).strftime(LOCAL_FORMAT)


class BoardQueryArgsSchema(BaseSchema):
    view = fields.String(load_default="day", validate=validate.OneOf(["day", "week"]))
    on = fields.Date(load_default=None)


class BookVisitFormSchema(BaseSchema):
    customer_id = Id(strict=False, required=True)
    # Not given: unassigned, waiting in the board's side list.
    technician_id = Id(strict=False, load_default=None)
    starts_at = CompanyDateTime(required=True)
    minutes = fields.Integer(required=True, validate=validate.Range(1, 24 * 60))
    kind = fields.String(load_default=AppointmentKind.VISIT, validate=KINDS)
    notes = fields.String(load_default=None, validate=validate.Length(max=2000))
    override = fields.Boolean(load_default=False)

    @post_load
    def _ends_after_its_length(self, visit, **kwargs):
        visit["ends_at"] = visit["starts_at"] + timedelta(minutes=visit.pop("minutes"))
        return visit


class MoveFormSchema(BaseSchema):
    starts_at = CompanyDateTime(required=True)
    # "" (or not given) from the technician list: back to unassigned.
    technician_id = Id(strict=False, load_default=None)
    note = fields.String(load_default=None, validate=validate.Length(max=500))
    override = fields.Boolean(load_default=False)


class CancelFormSchema(BaseSchema):
    reason = fields.String(required=True, validate=[not_blank, validate.Length(max=500)])


class TimeOffFormSchema(BaseSchema):
    starts_at = CompanyDateTime(required=True)
    ends_at = CompanyDateTime(required=True)
    reason = fields.String(load_default=None, validate=validate.Length(max=200))


class WeeklyHoursFormSchema(BaseSchema):
    """starts_0 … ends_6: a weekday with both times is worked, with neither is a day off."""

    class Meta(BaseSchema.Meta):
        include = {
            f"{end}_{weekday}": fields.Time(load_default=None) for weekday in range(7) for end in ("starts", "ends")
        }

    @validates_schema
    def _both_ends_of_a_day(self, typed, **kwargs):
        errors = {}
        for weekday in range(7):
            starts_at, ends_at = typed.get(f"starts_{weekday}"), typed.get(f"ends_{weekday}")
            if (starts_at is None) != (ends_at is None):
                missing = "ends" if ends_at is None else "starts"
                errors[f"{missing}_{weekday}"] = ["Give both times, or neither for a day off."]
            elif starts_at is not None and ends_at <= starts_at:
                errors[f"ends_{weekday}"] = ["A working day ends after it starts."]
        if errors:
            raise ValidationError(errors)
        if all(typed.get(f"starts_{weekday}") is None for weekday in range(7)):
            # No hours at all would mean the usual week again, not "never works": say so rather than surprise.
            raise ValidationError("Give the hours of at least one working day.", "starts_0")

    @post_load
    def _as_week(self, typed, **kwargs):
        return {weekday: (typed[f"starts_{weekday}"], typed[f"ends_{weekday}"]) for weekday in range(7) if typed.get(f"starts_{weekday}")}
