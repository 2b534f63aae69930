from marshmallow import fields, post_load, validate

from dispatch.core.money import Money
from dispatch.core.schemas import MONTH, BaseSchema, Id, not_blank
from dispatch.core.time import company_today, month_days
from dispatch.invoicing.models import DisputeOutcome, InvoiceStatus, PaymentMethod
from dispatch.invoicing.statements import AGES

POSITIVE = validate.Range(min=0, min_inclusive=False)
REASON = [validate.Length(min=1, max=2000), not_blank]


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


class ReminderSchema(BaseSchema):
    id = fields.Integer()
    days_from_due = fields.Integer()
    sent_on = fields.Date()
    sent_at = fields.AwareDateTime(allow_none=True)
    message_id = fields.String(allow_none=True)


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
    amount_credited = Money()
    discount_taken = Money()
    balance_due = Money()
    is_overdue = fields.Method("overdue_today")
    kind = fields.String()
    late_fee_for_id = fields.Integer(allow_none=True)
    view_count = fields.Integer()
    first_viewed_at = fields.AwareDateTime(allow_none=True)
    voided_at = fields.AwareDateTime(allow_none=True)
    void_reason = fields.String(allow_none=True)
    emails = fields.List(fields.Nested(InvoiceEmailSchema))
    reminders = fields.List(fields.Nested(ReminderSchema))
    payments = fields.List(fields.Nested(lambda: PaymentRecordSchema()))
    credit_notes = fields.List(fields.Nested(lambda: CreditNoteSchema()))

    def overdue_today(self, invoice) -> bool:
        return invoice.is_overdue(company_today())


class InvoiceStandingSchema(BaseSchema):
    """Where an invoice stands after a payment, a reversal or a credit."""

    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    balance_due = Money()


class PaymentRecordSchema(BaseSchema):
    id = fields.Integer()
    invoice_id = fields.Integer()
    amount = Money()
    method = fields.String()
    reference = fields.String(allow_none=True)
    received_on = fields.Date()
    recorded_at = fields.AwareDateTime()
    reversed_at = fields.AwareDateTime(allow_none=True)
    reversal_reason = fields.String(allow_none=True)


class PaymentSchema(PaymentRecordSchema):
    """A payment, with where its invoice stands now."""

    invoice = fields.Nested(InvoiceStandingSchema)


class RecordPaymentSchema(BaseSchema):
    amount = Money(required=True, validate=POSITIVE)
    method = fields.String(required=True, validate=validate.OneOf([method.value for method in PaymentMethod]))
    reference = fields.String(load_default=None, validate=validate.Length(max=120))
    received_on = fields.Date(load_default=None)


class ReasonSchema(BaseSchema):
    reason = fields.String(required=True, validate=REASON)


class CreditNoteSchema(BaseSchema):
    id = fields.Integer()
    number = fields.String()
    invoice_id = fields.Integer()
    customer_id = fields.Integer()
    issue_date = fields.Date()
    reason = fields.String()
    subtotal = Money()
    tax = Money()
    total = Money()


class IssueCreditNoteSchema(BaseSchema):
    amount = Money(required=True, validate=POSITIVE)
    reason = fields.String(required=True, validate=REASON)


class DisputeNoteSchema(BaseSchema):
    id = fields.Integer()
    author_id = fields.Integer(allow_none=True)
    written_at = fields.AwareDateTime()
    text = fields.String()


class DisputeSchema(BaseSchema):
    id = fields.Integer()
    invoice_id = fields.Integer()
    reason = fields.String()
    opened_by_id = fields.Integer(allow_none=True)
    opened_at = fields.AwareDateTime()
    respond_by = fields.Date()
    resolved_at = fields.AwareDateTime(allow_none=True)
    outcome = fields.String(allow_none=True)
    credit_note_id = fields.Integer(allow_none=True)
    notes = fields.List(fields.Nested(DisputeNoteSchema))


class AddDisputeNoteSchema(BaseSchema):
    text = fields.String(required=True, validate=REASON)


class ResolveDisputeSchema(BaseSchema):
    outcome = fields.String(required=True, validate=validate.OneOf([outcome.value for outcome in DisputeOutcome]))
    note = fields.String(required=True, validate=REASON)
    credit_amount = Money(load_default=None, validate=POSITIVE)


class InvoiceQueryArgsSchema(BaseSchema):
    status = fields.String(load_default=None, validate=validate.OneOf([status.value for status in InvoiceStatus]))
    customer_id = Id(strict=False, load_default=None)
    is_overdue = fields.Boolean(data_key="overdue", load_default=None)
    issued_in = fields.String(data_key="issued", load_default=None, validate=MONTH)
    age = fields.String(load_default=None, validate=validate.OneOf([name for name, _, _ in AGES]))

    @post_load
    def _issued_days(self, query, **kwargs):
        if query["issued_in"] is not None:
            query["issued_in"] = month_days(query["issued_in"])
        return query


class StatementEntrySchema(BaseSchema):
    on = fields.Date()
    document = fields.String()
    description = fields.String()
    amount = Money()
    balance = Money()
