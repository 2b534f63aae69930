from marshmallow import fields, validate

from dispatch.core.money import Money, Percent
from dispatch.core.schemas import BaseSchema, not_blank

RATE = validate.Range(min=0)


class CompanySettingsSchema(BaseSchema):
    name = fields.String(validate=[validate.Length(min=1, max=200), not_blank])
    address = fields.String(allow_none=True, validate=validate.Length(max=2000))
    tax_rate_percent = Percent(validate=validate.Range(min=0, max=100, max_inclusive=False))
    labor_rate_onsite = Money(validate=RATE)
    labor_rate_remote = Money(validate=RATE)
    labor_rate_phone = Money(validate=RATE)
    labor_rate_travel = Money(validate=RATE)
    mileage_rate = Money(validate=RATE)
    is_labor_taxable = fields.Boolean()
    default_payment_terms_days = fields.Integer(strict=True, validate=validate.Range(min=0, max=365))


class UpdateCompanySettingsSchema(CompanySettingsSchema):
    """Any subset of the settings; what is not sent stays as it was."""
