from marshmallow import fields, validate

from dispatch.core.money import Money
from dispatch.core.schemas import BaseSchema

MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="Use YYYY-MM, e.g. 2026-11.")


class MonthlyProfitRequestSchema(BaseSchema):
    month = fields.String(required=True, validate=MONTH)


class JobAcceptedSchema(BaseSchema):
    job_id = fields.String()


class MonthlyProfitSchema(BaseSchema):
    month = fields.String()
    revenue = Money()
    parts_cost = Money()
    labor_cost = Money()
    mileage_cost = Money()
    expenses = Money()
    net_profit = Money()
    cash_received = Money()
    computed_at = fields.AwareDateTime()
