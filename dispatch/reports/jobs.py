"""Background jobs of the owner's reports."""
from datetime import timedelta

from dispatch.core.time import company_today
from dispatch.reports.service import compute_monthly_profit as compute_report


def compute_monthly_profit(month: str) -> str:
    """Recompute a month's net profit; running it twice leaves the same one report."""
    return str(compute_report(month).net_profit)


def compute_last_month() -> str:
    """On the 1st: the month just closed, in the company's calendar."""
    return compute_monthly_profit(f"{company_today().replace(day=1) - timedelta(days=1):%Y-%m}")


def compute_month_to_date() -> str:
    """Nightly: the current month so far, so the owner's figures are never more than a day old."""
    return compute_monthly_profit(f"{company_today():%Y-%m}")
