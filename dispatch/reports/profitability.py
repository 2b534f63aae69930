"""Who and what the money is made on: a month's revenue, hours and costs per customer, technician and kind of labour.

Each figure is one SQL aggregate grouped by the thing it breaks down by; Python only lines
the groups up. Work belongs to the month its work order was filed in (company time), its
invoice to the month it was issued, pay to the day it accrued, as in the monthly profit.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from dispatch.auth.models import User
from dispatch.customers.models import Customer
from dispatch.extensions import db
from dispatch.inventory.models import Part
from dispatch.invoicing.models import Invoice, InvoiceLine, InvoiceStatus, LineKind
from dispatch.payroll.models import AccrualKind, PayAccrual
from dispatch.core.time import month_bounds, month_days
from dispatch.reports.service import ZERO, exact_cents, revenue_by
from dispatch.workorders.models import LabourEntry, PartUsage, WorkOrder, WorkOrderStatus

HUNDREDTH = Decimal("0.01")


@dataclass
class Profitability:
    """One customer's or technician's month."""

    id: int
    name: str
    revenue: Decimal = ZERO
    parts_cost: Decimal = ZERO
    labour_cost: Decimal = ZERO
    work_orders: int = 0
    minutes_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def hours(self) -> Decimal:
        return (Decimal(sum(self.minutes_by_kind.values())) / 60).quantize(HUNDREDTH)

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.parts_cost - self.labour_cost

    @property
    def margin_per_hour(self) -> Decimal | None:
        """What an hour spent on them earns: the measure of "is their support worth it"."""
        return (self.margin / self.hours).quantize(HUNDREDTH) if self.hours else None


@dataclass
class LabourKindFigures:
    kind: str
    minutes: int = 0
    billable_minutes: int = 0
    billed: Decimal = ZERO

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(HUNDREDTH)

    @property
    def billed_per_hour(self) -> Decimal | None:
        return (self.billed / self.hours).quantize(HUNDREDTH) if self.minutes else None


def by_customer(month: str) -> list[Profitability]:
    """Every customer with work, invoices or credits in the month, the best margin first."""
    return _ranked(_figures_by(month, WorkOrder.customer_id, Invoice.customer_id), Customer)


def by_technician(month: str) -> list[Profitability]:
    """Every technician with work in the month: what their work billed against what it cost."""
    return _ranked(_figures_by(month, WorkOrder.technician_id, WorkOrder.technician_id), User)


def by_labour_kind(month: str) -> list[LabourKindFigures]:
    """Phone, remote, on-site and travel: hours worked and what was billed for them."""
    starts_at, ends_at = month_bounds(month)
    first_day, last_day = month_days(month)
    figures: dict[str, LabourKindFigures] = {}
    worked = (
        select(LabourEntry.kind, func.sum(LabourEntry.minutes), func.sum(LabourEntry.minutes).filter(LabourEntry.is_billable))
        .join(WorkOrder)
        .where(*_filed_in(starts_at, ends_at))
        .group_by(LabourEntry.kind)
    )
    for kind, minutes, billable in db.session.execute(worked):
        figures[kind] = LabourKindFigures(kind, int(minutes), int(billable or 0))
    billed = (
        select(InvoiceLine.labour_kind, func.sum(InvoiceLine.amount))
        .join(Invoice)
        .where(
            InvoiceLine.kind == LineKind.LABOR,
            Invoice.issue_date.between(first_day, last_day),
            Invoice.status != InvoiceStatus.VOID,
        )
        .group_by(InvoiceLine.labour_kind)
    )
    for kind, amount in db.session.execute(billed):
        figures.setdefault(kind, LabourKindFigures(kind)).billed = exact_cents(amount)
    return sorted(figures.values(), key=lambda row: -row.minutes)


@dataclass
class PartCategoryFigures:
    category: str | None
    quantity: int
    sales: Decimal
    cost: Decimal

    @property
    def margin(self) -> Decimal:
        return self.sales - self.cost


def by_part_category(month: str) -> list[PartCategoryFigures]:
    """Parts used in the month by catalogue category: what they sold for against what they cost when used."""
    starts_at, ends_at = month_bounds(month)
    used = (
        select(
            Part.category,
            func.sum(PartUsage.quantity),
            func.sum(PartUsage.quantity * PartUsage.unit_price),
            func.sum(PartUsage.quantity * PartUsage.unit_cost),
        )
        .join(PartUsage, PartUsage.part_id == Part.id)
        .join(WorkOrder, WorkOrder.id == PartUsage.work_order_id)
        .where(*_filed_in(starts_at, ends_at))
        .group_by(Part.category)
    )
    rows = [PartCategoryFigures(category, int(quantity), exact_cents(sales), exact_cents(cost)) for category, quantity, sales, cost in db.session.execute(used)]
    return sorted(rows, key=lambda row: -row.margin)


def _figures_by(month: str, work_key, revenue_key) -> dict[int, Profitability]:
    starts_at, ends_at = month_bounds(month)
    first_day, last_day = month_days(month)
    rows: dict[int, Profitability] = defaultdict(lambda: Profitability(0, ""))
    filed = _filed_in(starts_at, ends_at)

    for key, count in db.session.execute(select(work_key, func.count()).where(*filed).group_by(work_key)):
        rows[key].work_orders = count
    minutes = select(work_key, LabourEntry.kind, func.sum(LabourEntry.minutes)).join(LabourEntry).where(*filed)
    for key, kind, total in db.session.execute(minutes.group_by(work_key, LabourEntry.kind)):
        rows[key].minutes_by_kind[kind] = int(total)
    parts = select(work_key, func.sum(PartUsage.quantity * PartUsage.unit_cost)).join(PartUsage).where(*filed)
    for key, total in db.session.execute(parts.group_by(work_key)):
        rows[key].parts_cost = exact_cents(total)
    # Labour cost is pay accrued in the month for the work orders it came from, overtime and all.
    pay = (
        select(work_key, func.sum(PayAccrual.amount))
        .join(WorkOrder, WorkOrder.id == PayAccrual.work_order_id)
        .where(PayAccrual.kind != AccrualKind.MILEAGE, PayAccrual.accrued_on.between(first_day, last_day))
    )
    for key, total in db.session.execute(pay.group_by(work_key)):
        rows[key].labour_cost = exact_cents(total)
    for key, total in revenue_by(month, revenue_key).items():
        rows[key].revenue = total
    return rows


def _ranked(rows: dict[int, Profitability], named) -> list[Profitability]:
    rows.pop(None, None)
    names = dict(db.session.execute(select(named.id, named.name).where(named.id.in_(rows))).all()) if rows else {}
    for key, row in rows.items():
        row.id, row.name = key, names[key]
    return sorted(rows.values(), key=lambda row: (-row.margin, row.name))


def _filed_in(starts_at, ends_at) -> tuple:
    return WorkOrder.filed_at >= starts_at, WorkOrder.filed_at < ends_at, WorkOrder.status != WorkOrderStatus.VOID

