"""The owner's other expenses: rent, fuel, insurance, tools. They come off the month's net profit."""
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, and_, func, or_, select
from werkzeug.datastructures import FileStorage

from dispatch.audit import service as audit
from dispatch.audit.models import AuditKind
from dispatch.auth.models import User
from dispatch.core.errors import Conflict, InvalidInput, NotFound
from dispatch.core.files import store_upload
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.reports.models import Expense, ExpenseCategory


@transactional
def record_expense(
    actor: User,
    category: ExpenseCategory,
    amount: Decimal,
    spent_on: date,
    note: str | None = None,
    is_monthly: bool = False,
    receipt: FileStorage | None = None,
) -> Expense:
    if amount <= 0:
        raise InvalidInput.on_field("amount", "An expense is more than zero.")
    expense = Expense(category=category, amount=amount, spent_on=spent_on, note=note, is_monthly=is_monthly, created_by_id=actor.id)
    if receipt is not None and receipt.filename:
        expense.receipt_path, expense.receipt_type = store_upload(receipt, "receipt", "receipts")
    db.session.add(expense)
    db.session.flush()
    audit.record(AuditKind.MONEY, "expense_recorded", expense, category=category, amount=amount, is_monthly=is_monthly)
    return expense


@transactional
def end_monthly_expense(expense_id: int, ends_on: date) -> Expense:
    """A monthly expense stops counting after the month of `ends_on` (the lease ended, the policy was cancelled)."""
    expense = get_expense(expense_id)
    if not expense.is_monthly:
        raise Conflict("Only a monthly expense can end; a one-off one belongs to its own day.")
    if ends_on < expense.spent_on:
        raise InvalidInput.on_field("ends_on", f"It started on {expense.spent_on:%Y-%m-%d}.")
    expense.ends_on = ends_on
    audit.record(AuditKind.MONEY, "monthly_expense_ended", expense, amount=expense.amount, ends_on=ends_on)
    return expense


def get_expense(expense_id: int) -> Expense:
    expense = db.session.get(Expense, expense_id)
    if expense is None:
        raise NotFound()
    return expense


def expenses_in(first_day: date, last_day: date) -> list[Expense]:
    return list(db.session.scalars(expenses_query(first_day, last_day)))


def expenses_query(first_day: date, last_day: date) -> Select:
    """Every expense that counts between two days: one-offs spent then, and monthly ones running then."""
    return select(Expense).where(_counts_in(first_day, last_day)).order_by(Expense.spent_on, Expense.id)


def total_expenses(first_day: date, last_day: date):
    """The SQL sum of a month's expenses, for the profit report; a monthly expense counts once per month."""
    return select(func.sum(Expense.amount)).where(_counts_in(first_day, last_day))


def _counts_in(first_day: date, last_day: date):
    return or_(
        and_(Expense.is_monthly.is_(False), Expense.spent_on.between(first_day, last_day)),
        and_(Expense.is_monthly.is_(True), Expense.spent_on <= last_day, or_(Expense.ends_on.is_(None), Expense.ends_on >= first_day)),
    )
