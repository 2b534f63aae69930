from marshmallow import ValidationError, fields, validate, validates_schema

from dispatch.core.money import Money
from dispatch.core.schemas import MONTH, BaseSchema
from dispatch.reports.accounting_export import Document, Target
from dispatch.reports.models import ExpenseCategory


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


class AccountingExportQueryArgsSchema(BaseSchema):
    target = fields.Enum(Target, by_value=True, required=True)
    document = fields.Enum(Document, by_value=True, required=True)
    first_day = fields.Date(data_key="from", required=True)
    last_day = fields.Date(data_key="to", required=True)

    @validates_schema
    def check_range(self, query_args, **_kwargs):
        if query_args["first_day"] > query_args["last_day"]:
            raise ValidationError("Must be on or after from.", field_name="to")


class ExpenseSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    category = fields.String(required=True, validate=validate.OneOf([category.value for category in ExpenseCategory]))
    amount = Money(required=True)
    spent_on = fields.Date(required=True)
    note = fields.String(load_default=None, validate=validate.Length(max=2000))
    is_monthly = fields.Boolean(load_default=False)
    ends_on = fields.Date(dump_only=True, allow_none=True)
    has_receipt = fields.Function(lambda expense: expense.receipt_path is not None, dump_only=True)


class EndExpenseSchema(BaseSchema):
    ends_on = fields.Date(required=True)


class ExpenseQueryArgsSchema(BaseSchema):
    month = fields.String(required=True, validate=MONTH)
