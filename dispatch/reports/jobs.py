"""Background jobs of the owner's reports."""
from dispatch.reports.service import compute_monthly_profit as compute_report


def compute_monthly_profit(month: str) -> str:
    """Recompute a month's net profit; running it twice leaves the same one report."""
    return str(compute_report(month).net_profit)
