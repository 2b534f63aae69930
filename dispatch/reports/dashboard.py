"""The owner's dashboard: this month against last month and last year, twelve months of profit,
who owes what and for how long, and who the money is made on."""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from dispatch.extensions import db
from dispatch.invoicing.statements import receivables_by_age
from dispatch.reports import profitability
from dispatch.reports.models import MonthlyProfitReport
from dispatch.reports.service import profit_figures

FIGURES = ("revenue", "parts_cost", "labor_cost", "mileage_cost", "expenses", "net_profit", "cash_received")
COSTS = ("parts_cost", "labor_cost", "mileage_cost", "expenses")


@dataclass(frozen=True)
class MonthFigures:
    month: str
    figures: dict[str, Decimal]
    is_live: bool  # worked out now, not a stored report


@dataclass(frozen=True)
class Dashboard:
    comparison: list[tuple[str, MonthFigures]]
    history: list[MonthFigures]
    receivables: dict[str, Decimal]
    customers: list[profitability.Profitability]
    technicians: list[profitability.Profitability]
    labour_kinds: list[profitability.LabourKindFigures]
    part_categories: list[profitability.PartCategoryFigures]


def owners_dashboard(today: date) -> Dashboard:
    this_month = _month(today)
    last_month = _month(today.replace(day=1) - timedelta(days=1))
    same_month_last_year = f"{today.year - 1}-{today.month:02d}"
    history = twelve_months(today)
    by_month = {month.month: month for month in history}
    return Dashboard(
        comparison=[
            ("This month so far", by_month[this_month]),
            ("Last month", by_month[last_month]),
            ("Same month last year", _figures_of(same_month_last_year, _stored([same_month_last_year]))),
        ],
        history=history,
        receivables=receivables_by_age(today),
        customers=profitability.by_customer(this_month),
        technicians=profitability.by_technician(this_month),
        labour_kinds=profitability.by_labour_kind(this_month),
        part_categories=profitability.by_part_category(this_month),
    )


def twelve_months(today: date) -> list[MonthFigures]:
    """The last twelve months, oldest first: each from its stored report, or worked out now if it has none.

    The current month is always worked out now: its stored report is at most a night old.
    """
    months = []
    first = today.replace(day=1)
    for _ in range(12):
        months.insert(0, _month(first))
        first = (first - timedelta(days=1)).replace(day=1)
    stored = _stored(months[:-1])
    return [_figures_of(month, stored) for month in months[:-1]] + [MonthFigures(months[-1], profit_figures(months[-1]), True)]


def _stored(months: list[str]) -> dict[str, MonthlyProfitReport]:
    reports = db.session.scalars(select(MonthlyProfitReport).where(MonthlyProfitReport.month.in_(months)))
    return {report.month: report for report in reports}


def _figures_of(month: str, stored: dict[str, MonthlyProfitReport]) -> MonthFigures:
    report = stored.get(month)
    if report is None:
        return MonthFigures(month, profit_figures(month), True)
    return MonthFigures(month, {name: getattr(report, name) for name in FIGURES}, False)


def _month(day: date) -> str:
    return f"{day:%Y-%m}"
