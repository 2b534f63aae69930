from marshmallow import fields, validate

from dispatch.core.schemas import BaseSchema, not_blank


class ServiceSiteSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    address = fields.String()
    notes = fields.String(allow_none=True)


class CustomerSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    email = fields.Email()
    phone = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    payment_terms_days = fields.Integer(allow_none=True)
    is_active = fields.Boolean()
    sites = fields.List(fields.Nested(ServiceSiteSchema))


class CreateCustomerSchema(BaseSchema):
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), not_blank])
    email = fields.Email(required=True, validate=validate.Length(max=254))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    payment_terms_days = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=0, max=365)
    )


class CustomerFormSchema(CreateCustomerSchema):
    """The "New customer" page: a form sends every value as text, so "30" is a number here."""

    payment_terms_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=365))


class CustomerQueryArgsSchema(BaseSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=200))
