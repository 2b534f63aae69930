from decimal import Decimal

from marshmallow import fields, validate

from dispatch.core.money import ExactDecimal, Money
from dispatch.core.schemas import BaseSchema, Id, not_blank

# A visit has to fit inside one working day (08:00–17:00) to be booked.
LONGEST_VISIT_MINUTES = 9 * 60


class EstimateLineInputSchema(BaseSchema):
    description = fields.String(required=True, validate=[validate.Length(min=1, max=300), not_blank])
    quantity = ExactDecimal(2, Decimal(100_000), required=True, validate=validate.Range(min=Decimal("0.01")))
    unit_price = Money(required=True, validate=validate.Range(min=0))
    # Taxed unless the dispatcher says otherwise: an estimate that forgot the tax would undersell the invoice.
    is_taxable = fields.Boolean(load_default=True)


class CreateEstimateSchema(BaseSchema):
    customer_id = Id(required=True)
    site_id = Id(load_default=None)
    technician_id = Id(load_default=None)
    visit_minutes = fields.Integer(strict=True, load_default=60, validate=validate.Range(min=15, max=LONGEST_VISIT_MINUTES))
    valid_until = fields.Date(required=True)
    notes = fields.String(load_default=None, validate=validate.Length(max=10_000))
    lines = fields.List(fields.Nested(EstimateLineInputSchema), required=True, validate=validate.Length(min=1, max=100))


class EstimateLineSchema(BaseSchema):
    description = fields.String()
    quantity = fields.Decimal(as_string=True)
    unit_price = Money()
    amount = Money()
    is_taxable = fields.Boolean()


class EstimateSchema(BaseSchema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    customer_id = fields.Integer()
    site_id = fields.Integer(allow_none=True)
    technician_id = fields.Integer(allow_none=True)
    visit_minutes = fields.Integer()
    issue_date = fields.Date()
    valid_until = fields.Date()
    notes = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(EstimateLineSchema))
    subtotal = Money()
    tax_rate_percent = fields.Decimal(as_string=True)
    tax = Money()
    total = Money()
    # The customer's secret: /e/<token> shows, accepts and declines the estimate without a login.
    token = fields.String(attribute="view_token")
    sent_at = fields.AwareDateTime(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    appointment_id = fields.Integer(allow_none=True)
