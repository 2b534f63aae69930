import re

from marshmallow import ValidationError, fields, validate

from dispatch.company.models import PayFrequency
from dispatch.core.money import Money, Percent
from dispatch.core.schemas import BaseSchema, not_blank

RATE = validate.Range(min=0)
PERCENT = validate.Range(min=0, max=100, max_inclusive=False)
YEAR_OF_DAYS = 365
WHOLE_DAY = re.compile(r"[+-]?[0-9]{1,3}")
# The column's width: reminder_schedule is String(100).
LONGEST_SCHEDULE = 100


def days(least: int = 0) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=least, max=YEAR_OF_DAYS))


class ReminderSchedule(fields.String):
    """Days from the due date to remind on, as the column keeps them: "-3,0,7,14".

    Spaces, order and repeats are forgiven ("14, -3, 0, 7" is saved as "-3,0,7,14");
    anything but whole days within a year of the due date is refused. "" means no reminders.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        entries = [entry.strip() for entry in text.split(",")] if text.strip() else []
        if not all(WHOLE_DAY.fullmatch(entry) for entry in entries):
            raise ValidationError('Give whole days from the due date, separated by commas, e.g. "-3,0,7,14".')
        schedule = sorted({int(entry) for entry in entries})
        if any(abs(day) > YEAR_OF_DAYS for day in schedule):
            raise ValidationError(f"Each day must be within {YEAR_OF_DAYS} days of the due date.")
        normalised = ",".join(str(day) for day in schedule)
        if len(normalised) > LONGEST_SCHEDULE:
            raise ValidationError(f"Use at most {LONGEST_SCHEDULE} characters.")
        return normalised


class CompanySettingsSchema(BaseSchema):
    name = fields.String(validate=[validate.Length(min=1, max=200), not_blank])
    address = fields.String(allow_none=True, validate=validate.Length(max=2000))
    tax_rate_percent = Percent(validate=PERCENT)
    labor_rate_onsite = Money(validate=RATE)
    labor_rate_remote = Money(validate=RATE)
    labor_rate_phone = Money(validate=RATE)
    labor_rate_travel = Money(validate=RATE)
    mileage_rate = Money(validate=RATE)
    is_labor_taxable = fields.Boolean()
    default_payment_terms_days = days()
    # The invoicing policy: what getting paid early earns, and what paying late costs.
    early_payment_discount_percent = Percent(validate=PERCENT)
    early_payment_discount_days = days()
    late_fee_flat = Money(validate=RATE)
    late_fee_percent = Percent(validate=PERCENT)
    late_fee_period_days = days(least=1)
    # None: no limit to the late fees on one invoice.
    late_fee_cap = Money(allow_none=True, validate=RATE)
    reminder_schedule = ReminderSchedule()
    dispute_respond_days = days(least=1)
    # Payroll: how often technicians are paid, and the first day of one weekly or bi-weekly period.
    pay_frequency = fields.String(validate=validate.OneOf([frequency.value for frequency in PayFrequency]))
    pay_period_anchor_on = fields.Date()


class UpdateCompanySettingsSchema(CompanySettingsSchema):
    """Any subset of the settings; what is not sent stays as it was."""
