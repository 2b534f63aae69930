from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from dispatch.core.money import Money, Percent
from dispatch.core.schemas import BaseSchema, Id, not_blank
from dispatch.customers.models import ActionStepKind, Billing, ContactKind, Payer


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
    # Closed files' customers (inactive), to read or reopen their file.
    closed = fields.Boolean(load_default=False)


class ActionStepInputSchema(BaseSchema):
    kind = fields.Enum(ActionStepKind, by_value=True, required=True)
    due_on = fields.Date(required=True)
    assignee_id = Id(required=True)
    description = fields.String(load_default=None, validate=validate.Length(max=500))


class LogContactSchema(BaseSchema):
    kind = fields.Enum(ContactKind, by_value=True, required=True)
    occurred_at = fields.AwareDateTime(load_default=None)
    participants = fields.String(required=True, validate=[validate.Length(min=1, max=500), not_blank])
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=24 * 60))
    # None: the company's rate for this way of meeting.
    hourly_rate = Money(load_default=None, validate=validate.Range(min=0))
    payer = fields.Enum(Payer, by_value=True, load_default=Payer.CUSTOMER)
    billing = fields.Enum(Billing, by_value=True, load_default=Billing.NEXT_INVOICE)
    notes = fields.String(load_default=None, validate=validate.Length(max=10_000))
    action_steps = fields.List(fields.Nested(ActionStepInputSchema), load_default=list, validate=validate.Length(max=20))


class ContactFormSchema(LogContactSchema):
    """The client file's "Log a contact" form: text values, and at most one action step."""

    minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=24 * 60))
    occurred_at = fields.NaiveDateTime(load_default=None)
    step_kind = fields.Enum(ActionStepKind, by_value=True, load_default=None)
    step_due_on = fields.Date(load_default=None)
    step_assignee_id = Id(strict=False, load_default=None)
    step_description = fields.String(load_default=None, validate=validate.Length(max=500))


class ActionStepSchema(BaseSchema):
    id = fields.Integer()
    contact_id = fields.Integer()
    customer_id = fields.Integer()
    customer_name = fields.String(attribute="customer.name")
    kind = fields.String()
    description = fields.String(allow_none=True)
    due_on = fields.Date()
    assignee_id = fields.Integer()
    done_at = fields.AwareDateTime(allow_none=True)


class ContactSchema(BaseSchema):
    id = fields.Integer()
    customer_id = fields.Integer()
    kind = fields.String()
    occurred_at = fields.AwareDateTime()
    participants = fields.String()
    minutes = fields.Integer()
    hourly_rate = Money()
    amount = Money()
    payer = fields.String()
    billing = fields.String()
    notes = fields.String(allow_none=True)
    invoice_id = fields.Integer(allow_none=True)
    recorded_by_id = fields.Integer()
    action_steps = fields.List(fields.Nested(ActionStepSchema))


class ActionStepQueryArgsSchema(BaseSchema):
    # None: the caller's own list.
    assignee_id = Id(strict=False, load_default=None)


class AddDocumentSchema(BaseSchema):
    title = fields.String(required=True, validate=[validate.Length(min=1, max=200), not_blank])
    received_from = fields.String(load_default=None, validate=validate.Length(max=200))
    is_confidential = fields.Boolean(load_default=False)


class DocumentSchema(BaseSchema):
    id = fields.Integer()
    customer_id = fields.Integer()
    title = fields.String()
    received_from = fields.String(allow_none=True)
    is_confidential = fields.Boolean()
    content_type = fields.String()
    size_bytes = fields.Integer()
    added_by_id = fields.Integer()
    added_at = fields.AwareDateTime()


class DocumentReadSchema(BaseSchema):
    reader_id = fields.Integer()
    reader_name = fields.String(attribute="reader.name")
    read_at = fields.AwareDateTime()
    was_allowed = fields.Boolean()


class CloseFileSchema(BaseSchema):
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=2000), not_blank])
    referral_source = fields.String(load_default=None, validate=validate.Length(max=200))
    signature = fields.String(required=True, validate=[validate.Length(min=1, max=200), not_blank])


class ReopenFileSchema(BaseSchema):
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=2000), not_blank])


class FileClosureSchema(BaseSchema):
    id = fields.Integer()
    customer_id = fields.Integer()
    reason = fields.String()
    visits = fields.Integer()
    referral_source = fields.String(allow_none=True)
    reports_received = fields.Integer()
    signature = fields.String()
    closed_by_id = fields.Integer()
    closed_at = fields.AwareDateTime()
    reopened_at = fields.AwareDateTime(allow_none=True)
    reopen_reason = fields.String(allow_none=True)


class SellSupportBlockSchema(BaseSchema):
    hours = fields.Decimal(required=True, places=2, as_string=True, validate=validate.Range(min=Decimal("0.25"), max=10_000))
    po_number = fields.String(required=True, validate=[validate.Length(min=1, max=64), not_blank])
    # None: the company's remote-support rate.
    hourly_rate = Money(load_default=None, validate=validate.Range(min=0))


class SupportBlockSchema(BaseSchema):
    id = fields.Integer()
    customer_id = fields.Integer()
    hours = fields.Decimal(places=2, as_string=True)
    hours_used = fields.Decimal(places=2, as_string=True)
    hours_left = fields.Decimal(places=2, as_string=True)
    hourly_rate = Money()
    po_number = fields.String()
    invoice_id = fields.Integer()
    sold_at = fields.AwareDateTime()


class MilestoneInputSchema(BaseSchema):
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), not_blank])
    percent = Percent(validate=validate.Range(min=Decimal("0.001"), max=100))
    amount = Money(validate=validate.Range(min=Decimal("0.01")))
    po_number = fields.String(load_default=None, validate=validate.Length(max=64))

    @validates_schema
    def percent_or_amount(self, milestone, **_kwargs):
        if ("percent" in milestone) == ("amount" in milestone):
            raise ValidationError("Give a percentage of the agreed price or an amount, one of the two.", "percent")


class CreateBillingPlanSchema(BaseSchema):
    title = fields.String(required=True, validate=[validate.Length(min=1, max=200), not_blank])
    agreed_price = Money(required=True, validate=validate.Range(min=Decimal("0.01")))
    milestones = fields.List(fields.Nested(MilestoneInputSchema), required=True, validate=validate.Length(min=1, max=20))


class MilestoneChangeSchema(MilestoneInputSchema):
    # The milestone changed; none: a milestone added.
    id = fields.Integer(load_default=None)


class ChangeMilestonesSchema(BaseSchema):
    milestones = fields.List(fields.Nested(MilestoneChangeSchema), required=True, validate=validate.Length(max=20))


class MilestoneSchema(BaseSchema):
    id = fields.Integer()
    position = fields.Integer()
    name = fields.String()
    amount = Money()
    po_number = fields.String(allow_none=True)
    invoice_id = fields.Integer(allow_none=True)
    reached_at = fields.AwareDateTime(allow_none=True)


class BillingPlanSchema(BaseSchema):
    id = fields.Integer()
    customer_id = fields.Integer()
    title = fields.String()
    agreed_price = Money()
    invoiced = Money()
    milestones = fields.List(fields.Nested(MilestoneSchema))


class ClientFileSummarySchema(BaseSchema):
    """The running summary at the head of the client file."""

    invoiced = Money()
    paid = Money()
    balance = Money()
