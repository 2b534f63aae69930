from marshmallow import fields

from dispatch.core.money import Money
from dispatch.core.schemas import BaseSchema


class InvoiceLineSchema(BaseSchema):
    kind = fields.String()
    description = fields.String()
    quantity = fields.Decimal(as_string=True)
    unit_price = Money()
    amount = Money()


class InvoiceEmailSchema(BaseSchema):
    id = fields.Integer()
    to_address = fields.String()
    requested_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)
    message_id = fields.String(allow_none=True)
    failed_at = fields.AwareDateTime(allow_none=True)
    failure = fields.String(allow_none=True)


class InvoiceSchema(BaseSchema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    customer_id = fields.Integer()
    work_order_id = fields.Integer(allow_none=True)
    work_order_number = fields.String(allow_none=True)
    po_number = fields.String(allow_none=True)
    issue_date = fields.Date()
    due_date = fields.Date()
    lines = fields.List(fields.Nested(InvoiceLineSchema))
    subtotal = Money()
    tax_rate_percent = fields.Decimal(as_string=True)
    tax = Money()
    total = Money()
    amount_paid = Money()
    balance_due = Money()
    emails = fields.List(fields.Nested(InvoiceEmailSchema))
