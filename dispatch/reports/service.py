"""The owner's monthly net profit, computed by the database in aggregates."""
import calendar
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import func, select

from dispatch.core.errors import NotFound
from dispatch.core.sql import insert_on_conflict
from dispatch.core.time import company_timezone, utcnow
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.invoicing.models import CreditNote, Invoice, InvoiceStatus, Payment
from dispatch.jobs import request_job
from dispatch.payroll.models import LABOUR_COST_KINDS, AccrualKind, PayAccrual
from dispatch.reports.models import MonthlyProfitReport
from dispatch.workorders.models import PartUsage, WorkOrder, WorkOrderStatus

ZERO = Decimal("0.00")


def month_days(month: str) -> tuple[date, date]:
    """First and last day of a "YYYY-MM" month."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


@transactional
def compute_monthly_profit(month: str) -> MonthlyProfitReport:
    """Accrual basis: revenue − parts cost − labour cost − mileage − expenses. Replaces an earlier report."""
    first_day, last_day = month_days(month)
    figures = {
        "revenue": _revenue(first_day, last_day),
        "parts_cost": _parts_cost(first_day, last_day),
        "labor_cost": _pay_accrued(LABOUR_COST_KINDS, first_day, last_day),
        "mileage_cost": _pay_accrued((AccrualKind.MILEAGE,), first_day, last_day),
        "expenses": ZERO,  # until the owner can enter expenses
        "cash_received": _cash_received(first_day, last_day),
    }
    figures["net_profit"] = (
        figures["revenue"] - figures["parts_cost"] - figures["labor_cost"] - figures["mileage_cost"] - figures["expenses"]
    )
    snapshot = {"month": month, **figures, "computed_at": utcnow()}
    db.session.execute(
        insert_on_conflict(MonthlyProfitReport)
        .values(**snapshot)
        .on_conflict_do_update(index_elements=[MonthlyProfitReport.month], set_=snapshot)
    )
    return db.session.get(MonthlyProfitReport, month, populate_existing=True)


def _revenue(first_day: date, last_day: date) -> Decimal:
    """Invoices issued in the month, net of tax, less voids and the credit notes of the month."""
    invoiced = _sum(
        select(func.sum(Invoice.subtotal)).where(
            Invoice.issue_date.between(first_day, last_day), Invoice.status != InvoiceStatus.VOID
        )
    )
    credited = _sum(select(func.sum(CreditNote.subtotal)).where(CreditNote.issue_date.between(first_day, last_day)))
    return invoiced - credited


def _cash_received(first_day: date, last_day: date) -> Decimal:
    """Payments received in the month that still stand (a bounced check is no cash)."""
    return _sum(
        select(func.sum(Payment.amount)).where(
            Payment.received_on.between(first_day, last_day), Payment.reversed_at.is_(None)
        )
    )


def _parts_cost(first_day: date, last_day: date) -> Decimal:
    """What the parts used in the month cost when they were used."""
    zone = company_timezone()
    starts_at = datetime.combine(first_day, time.min, zone)
    ends_at = datetime.combine(last_day, time.max, zone)
    return _sum(
        select(func.sum(PartUsage.quantity * PartUsage.unit_cost))
        .join(WorkOrder, WorkOrder.id == PartUsage.work_order_id)
        .where(WorkOrder.filed_at.between(starts_at, ends_at), WorkOrder.status != WorkOrderStatus.VOID)
    )


def _pay_accrued(kinds: tuple[AccrualKind, ...], first_day: date, last_day: date) -> Decimal:
    return _sum(
        select(func.sum(PayAccrual.amount)).where(PayAccrual.kind.in_(kinds), PayAccrual.accrued_on.between(first_day, last_day))
    )


def _sum(query) -> Decimal:
    total = db.session.scalar(query)
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
