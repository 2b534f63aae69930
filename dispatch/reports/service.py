"""The owner's monthly net profit, computed by the database in aggregates."""
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from dispatch.core.errors import NotFound
from dispatch.core.sql import insert_on_conflict
from dispatch.core.time import month_bounds, month_days, utcnow
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.invoicing.models import CreditNote, Invoice, InvoiceStatus, Payment
from dispatch.jobs import request_job
from dispatch.payroll.models import LABOUR_COST_KINDS, AccrualKind, PayAccrual
from dispatch.reports import expenses
from dispatch.reports.models import MonthlyProfitReport
from dispatch.workorders.models import PartUsage, WorkOrder, WorkOrderStatus

ZERO = Decimal("0.00")


def profit_figures(month: str) -> dict[str, Decimal]:
    """Accrual basis: revenue − parts cost − labour cost − mileage − expenses = net profit; cash received beside it."""
    first_day, last_day = month_days(month)
    figures = {
        "revenue": _revenue(month),
        "parts_cost": _parts_cost(month),
        "labor_cost": _pay_accrued(LABOUR_COST_KINDS, first_day, last_day),
        "mileage_cost": _pay_accrued((AccrualKind.MILEAGE,), first_day, last_day),
        "expenses": _sum(expenses.total_expenses(first_day, last_day)),
        "cash_received": _cash_received(first_day, last_day),
    }
    figures["net_profit"] = (
        figures["revenue"] - figures["parts_cost"] - figures["labor_cost"] - figures["mileage_cost"] - figures["expenses"]
    )
    return figures


@transactional
def compute_monthly_profit(month: str) -> MonthlyProfitReport:
    """Compute the month's figures and keep them as its report, replacing an earlier one."""
    snapshot = {"month": month, **profit_figures(month), "computed_at": utcnow()}
    db.session.execute(
        insert_on_conflict(MonthlyProfitReport)
        .values(**snapshot)
        .on_conflict_do_update(index_elements=[MonthlyProfitReport.month], set_=snapshot)
    )
    return db.session.get(MonthlyProfitReport, month, populate_existing=True)


def _revenue(month: str) -> Decimal:
    return revenue_by(month).get(None, ZERO)


def revenue_by(month: str, key=None) -> dict:
    """Revenue per customer (key=Invoice.customer_id), per technician (WorkOrder.technician_id) or in all (None).

    Invoices issued in the month net of tax and early-payment discounts, less the month's credit
    notes and voids. A void counts in the month it happens, like a credit note, so a month
    already reported keeps its figures.
    """
    first_day, last_day = month_days(month)
    starts_at, ends_at = month_bounds(month)
    grouped_by = [key] if key is not None else []
    net = func.sum(Invoice.subtotal - Invoice.discount_taken)
    parts = (
        (1, select(*grouped_by, net).select_from(Invoice).where(Invoice.issue_date.between(first_day, last_day))),
        (-1, select(*grouped_by, net).select_from(Invoice).where(
            Invoice.status == InvoiceStatus.VOID, Invoice.voided_at >= starts_at, Invoice.voided_at < ends_at
        )),
        (-1, select(*grouped_by, func.sum(CreditNote.subtotal)).select_from(CreditNote)
            .join(Invoice, Invoice.id == CreditNote.invoice_id)
            .where(CreditNote.issue_date.between(first_day, last_day))),
    )
    revenue: dict = {}
    for sign, query in parts:
        if key is not None and key.class_ is WorkOrder:
            query = query.join(WorkOrder, WorkOrder.id == Invoice.work_order_id)
        for *keys, total in db.session.execute(query.group_by(*grouped_by)):
            group = keys[0] if keys else None
            revenue[group] = revenue.get(group, ZERO) + sign * exact_cents(total)
    return revenue


def _cash_received(first_day: date, last_day: date) -> Decimal:
    """Payments received in the month that still stand (a bounced check is no cash)."""
    return _sum(
        select(func.sum(Payment.amount)).where(
            Payment.received_on.between(first_day, last_day), Payment.reversed_at.is_(None)
        )
    )


def _parts_cost(month: str) -> Decimal:
    """What the parts used in the month cost when they were used; a work order voided in the month gives its parts
    back, so their cost comes off the month of the void (the month it was filed keeps its figures)."""
    starts_at, ends_at = month_bounds(month)
    used = select(func.sum(PartUsage.quantity * PartUsage.unit_cost)).join(WorkOrder, WorkOrder.id == PartUsage.work_order_id)
    filed = _sum(used.where(WorkOrder.filed_at >= starts_at, WorkOrder.filed_at < ends_at))
    returned = _sum(
        used.where(WorkOrder.status == WorkOrderStatus.VOID, WorkOrder.voided_at >= starts_at, WorkOrder.voided_at < ends_at)
    )
    return filed - returned


def _pay_accrued(kinds: tuple[AccrualKind, ...], first_day: date, last_day: date) -> Decimal:
    return _sum(
        select(func.sum(PayAccrual.amount)).where(PayAccrual.kind.in_(kinds), PayAccrual.accrued_on.between(first_day, last_day))
    )


def _sum(query) -> Decimal:
    return exact_cents(db.session.scalar(query))


def exact_cents(total) -> Decimal:
    # SQLite sums NUMERIC as a float: bring it back to exact cents through its text form.
    return Decimal(str(total)).quantize(Decimal("0.01")) if total is not None else ZERO


@transactional
def request_monthly_profit(month: str) -> str:
    """Ask for the month to be computed in the background; the job's id."""
    # Imported here: the job module imports this one to do the computing.
    from dispatch.reports.jobs import compute_monthly_profit as compute_job

    return request_job(compute_job, month)


def get_monthly_profit(month: str) -> MonthlyProfitReport:
    report = db.session.get(MonthlyProfitReport, month)
    if report is None:
        raise NotFound(f"No report for {month} yet: ask for it to be computed.")
    return report
