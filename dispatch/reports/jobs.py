"""Background jobs of the owner's reports. Each is safe to run twice."""
from datetime import timedelta

from sqlalchemy import select

from dispatch.auth.models import Role, User
from dispatch.company.service import company_settings
from dispatch.core import mail
from dispatch.core.time import company_today, month_days, utcnow
from dispatch.core.tx import transaction
from dispatch.extensions import db
from dispatch.reports import profitability
from dispatch.reports.dashboard import FIGURES, MonthFigures, twelve_months
from dispatch.reports.models import MonthlyProfitReport
from dispatch.reports.pdf import render_monthly_report_pdf
from dispatch.reports.service import compute_monthly_profit as compute_report


def compute_monthly_profit(month: str) -> str:
    """Recompute a month's net profit; running it twice leaves the same one report."""
    return str(compute_report(month).net_profit)


def compute_last_month() -> str:
    """On the 1st: the month just closed, in the company's calendar, computed and emailed to the owners."""
    month = f"{company_today().replace(day=1) - timedelta(days=1):%Y-%m}"
    net_profit = compute_monthly_profit(month)
    email_monthly_report(month)
    return net_profit


def compute_month_to_date() -> str:
    """Nightly: the current month so far, so the owner's figures are never more than a day old."""
    return compute_monthly_profit(f"{company_today():%Y-%m}")


def email_monthly_report(month: str) -> bool:
    """Email the month's report PDF to every active owner, once: the report row stays locked while sending,
    and is marked sent in the same transaction. An SMTP failure raises, for RQ to retry."""
    with transaction():
        report = db.session.scalar(
            select(MonthlyProfitReport).where(MonthlyProfitReport.month == month).with_for_update()
        )
        if report is None or report.emailed_at is not None:
            return False
        owners = db.session.scalars(select(User.email).where(User.role == Role.OWNER, User.is_active.is_(True))).all()
        attachment = _report_pdf(report)
        for owner in owners:
            mail.send(_report_message(month, owner, attachment))
        report.emailed_at = utcnow()
        return bool(owners)


def _report_pdf(report: MonthlyProfitReport) -> bytes:
    month = MonthFigures(report.month, {name: getattr(report, name) for name in FIGURES}, False)
    _first_day, last_day = month_days(report.month)
    return render_monthly_report_pdf(
        company_settings(),
        month,
        twelve_months(last_day),
        profitability.by_customer(report.month),
        profitability.by_technician(report.month),
    )


def _report_message(month: str, to_address: str, attachment: bytes):
    company = company_settings()
    message = mail.new_message(
        to=to_address,
        subject=f"{company.name}: monthly report for {month}",
        body=f"The figures for {month} are attached: net profit, twelve months of history, customers and technicians.\n",
    )
    message.add_attachment(attachment, maintype="application", subtype="pdf", filename=f"monthly-report-{month}.pdf")
    return message
