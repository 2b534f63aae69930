"""Parts used on work orders, per technician, customer or month: what they cost when used, what they sold for.

Here rather than in inventory: it reads work orders, which inventory never imports.
Void work orders are left out: their parts went back on the shelf.
"""
import csv
import enum
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from dispatch.auth.models import User
from dispatch.core.errors import InvalidInput
from dispatch.core.time import company_timezone
from dispatch.customers.models import Customer
from dispatch.extensions import db
from dispatch.inventory.models import Part
from dispatch.workorders.models import PartUsage, WorkOrder, WorkOrderStatus

MOST_MONTHS = 36


class Grouping(enum.StrEnum):
    TECHNICIAN = "technician"
    CUSTOMER = "customer"
    MONTH = "month"


@dataclass(frozen=True)
class PartsUsedRow:
    group: str  # the technician's or customer's name, or the month ("2026-03")
    sku: str
    name: str
    category: str | None
    quantity: int
    cost: Decimal
    sales: Decimal


def parts_used(by: Grouping, from_on: date, to_on: date) -> list[PartsUsedRow]:
    """One row per group and part, for work orders filed in the company-time days from_on..to_on."""
    if from_on > to_on:
        raise InvalidInput.on_field("to", "The end of the range is before its start.")
    if by == Grouping.MONTH:
        return [row for first, last in _months(from_on, to_on) for row in _rows(first, last, month=f"{first:%Y-%m}")]
    return _rows(from_on, to_on, group={Grouping.TECHNICIAN: (User.id, User.name), Grouping.CUSTOMER: (Customer.id, Customer.name)}[by])


def _rows(from_on: date, to_on: date, group=None, month: str | None = None) -> list[PartsUsedRow]:
    """Grouped by (id, name) of a technician or customer, or all of one month."""
    zone = company_timezone()
    grouping = list(group or ())
    part = (Part.sku, Part.name, Part.category)
    totals = (
        func.sum(PartUsage.quantity), func.sum(PartUsage.quantity * PartUsage.unit_cost), func.sum(PartUsage.quantity * PartUsage.unit_price)
    )
    query = (
        select(*grouping, *part, *totals)
        .join(WorkOrder, WorkOrder.id == PartUsage.work_order_id)
        .join(Part, Part.id == PartUsage.part_id)
        .join(User, User.id == WorkOrder.technician_id)
        .join(Customer, Customer.id == WorkOrder.customer_id)
        .where(
            WorkOrder.status != WorkOrderStatus.VOID,
            WorkOrder.filed_at >= datetime.combine(from_on, time.min, zone),
            WorkOrder.filed_at < datetime.combine(to_on + timedelta(days=1), time.min, zone),
        )
        .group_by(*grouping, Part.id, *part)
        .order_by(*grouping[::-1], Part.sku)
    )
    rows = []
    for row in db.session.execute(query):
        name = row[1] if group else month
        sku, part_name, category, quantity, cost, sales = row[-6:]
        rows.append(PartsUsedRow(name, sku, part_name, category, quantity, _exact(cost), _exact(sales)))
    return rows


def _months(from_on: date, to_on: date) -> list[tuple[date, date]]:
    months, first = [], from_on
    while first <= to_on:
        next_month = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        months.append((first, min(to_on, next_month - timedelta(days=1))))
        first = next_month
    if len(months) > MOST_MONTHS:
        raise InvalidInput.on_field("from", f"Ask for at most {MOST_MONTHS} months at a time.")
    return months


def _exact(total) -> Decimal:
    # SQLite sums NUMERIC as a float: bring it back to exact cents through its text form.
    return Decimal(str(total)).quantize(Decimal("0.01"))


def parts_used_csv(rows: list[PartsUsedRow], by: Grouping) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow((by.value.title(), "SKU", "Part", "Category", "Quantity", "Cost", "Sold for"))
    writer.writerows((row.group, row.sku, row.name, row.category or "", row.quantity, f"{row.cost:.2f}", f"{row.sales:.2f}") for row in rows)
    return buffer.getvalue()
