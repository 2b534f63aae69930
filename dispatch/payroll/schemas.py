from decimal import Decimal

from marshmallow import fields, validate

from dispatch.core.money import ExactDecimal, Money, Percent
from dispatch.core.schemas import BaseSchema, Id, not_blank
from dispatch.payroll.models import ADJUSTMENT_KINDS
from dispatch.payroll.rules import STARTING_TERMS

NOT_NEGATIVE = validate.Range(min=0)
PERCENT = validate.Range(min=0, max=100)
# Hours in a day or a week after which overtime starts: more than none, at most a week.
THRESHOLD = validate.Range(min=0, min_inclusive=False)


def hours_threshold(**kwargs) -> ExactDecimal:
    return ExactDecimal(2, Decimal("168.00"), validate=THRESHOLD, allow_none=True, **kwargs)


class PayAccrualSchema(BaseSchema):
    id = fields.Integer()
    technician_id = fields.Integer()
    work_order_id = fields.Integer(allow_none=True)
    kind = fields.String()
    hours = fields.Decimal(as_string=True, allow_none=True)
    rate = Money(allow_none=True)
    amount = Money()
    accrued_on = fields.Date()


class PayAccrualQueryArgsSchema(BaseSchema):
    technician_id = Id(strict=False, load_default=None)
    on_or_after = fields.Date(data_key="from", load_default=None)
    on_or_before = fields.Date(data_key="to", load_default=None)


class PayRuleSchema(BaseSchema):
    id = fields.Integer()
    technician_id = fields.Integer()
    effective_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    hourly_rate = Money()
    overtime_multiplier = fields.Decimal(places=2, as_string=True)
    weekly_overtime_after_hours = fields.Decimal(places=2, as_string=True, allow_none=True)
    daily_overtime_after_hours = fields.Decimal(places=2, as_string=True, allow_none=True)
    labour_commission_percent = Percent()
    parts_commission_percent = Percent()
    mileage_rate = Money()


class CreatePayRuleSchema(BaseSchema):
    """A rule from its first day; what is not given is the starting terms (FLSA overtime, no commission, no mileage)."""

    effective_on = fields.Date(required=True)
    ends_on = fields.Date(load_default=None, allow_none=True)
    hourly_rate = Money(required=True, validate=NOT_NEGATIVE)
    overtime_multiplier = ExactDecimal(2, Decimal("9.99"), validate=validate.Range(min=1), load_default=STARTING_TERMS["overtime_multiplier"])
    weekly_overtime_after_hours = hours_threshold(load_default=STARTING_TERMS["weekly_overtime_after_hours"])
    daily_overtime_after_hours = hours_threshold(load_default=None)
    labour_commission_percent = Percent(validate=PERCENT, load_default=STARTING_TERMS["labour_commission_percent"])
    parts_commission_percent = Percent(validate=PERCENT, load_default=STARTING_TERMS["parts_commission_percent"])
    mileage_rate = Money(validate=NOT_NEGATIVE, load_default=STARTING_TERMS["mileage_rate"])


class EnterAdjustmentSchema(BaseSchema):
    technician_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([kind.value for kind in ADJUSTMENT_KINDS]))
    amount = Money(required=True, validate=validate.Range(min=Decimal("0.01")))
    description = fields.String(required=True, validate=[validate.Length(min=1, max=200), not_blank])
    # The day it belongs to; today when not given.
    worked_on = fields.Date(load_default=None)


class RunPayrollSchema(BaseSchema):
    starts_on = fields.Date(required=True)


class PayStatementSchema(BaseSchema):
    id = fields.Integer()
    payroll_run_id = fields.Integer()
    technician_id = fields.Integer()
    technician_name = fields.String(attribute="technician.name")
    starts_on = fields.Date(attribute="run.starts_on")
    ends_on = fields.Date(attribute="run.ends_on")
    hours = fields.Decimal(places=2, as_string=True)
    total = Money()


class PayStatementQueryArgsSchema(BaseSchema):
    technician_id = Id(strict=False, load_default=None)


class PayrollRunSchema(BaseSchema):
    id = fields.Integer()
    starts_on = fields.Date()
    ends_on = fields.Date()
    run_at = fields.DateTime()
    statements = fields.List(fields.Nested(PayStatementSchema))
