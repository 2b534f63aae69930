"""Collections: reminding customers of what they owe, and charging late fees on what stays unpaid.

Both run once a day from cron and may run twice: what the day has done already
(a reminder sent on it, a late fee for a period) is looked up before acting, and
the database refuses a second one anyway (UNIQUE(invoice_id, sent_on) on
reminders, UNIQUE(late_fee_for_id, late_fee_period) on invoices). Only open
invoices are chased: paid, void and disputed ones never are.
"""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import exists, select

from dispatch.company.models import CompanySettings
from dispatch.company.service import company_settings
from dispatch.core.money import to_cents
from dispatch.core.time import company_today
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.invoicing.jobs import email_reminder
from dispatch.invoicing.models import (
    OPEN_STATUSES,
    Invoice,
    InvoiceEmail,
    InvoiceKind,
    InvoiceStatus,
    LineKind,
    Reminder,
)
from dispatch.invoicing.service import LineDraft, issue_invoice, request_invoice_email
from dispatch.jobs import request_job

HUNDRED = Decimal(100)


@transactional
def chase_payments(today: date | None = None) -> tuple[list[Invoice], list[Reminder]]:
    """The day's round, as one transaction: late fees on what is overdue, then the reminders due."""
    today = today or company_today()
    return apply_late_fees(today), send_due_reminders(today)


@transactional
def send_due_reminders(today: date) -> list[Reminder]:
    """Record a reminder for every open invoice the schedule names for today; each is emailed after commit.

    Only invoices the customer has been sent are reminded of, and none twice on one day.
    """
    due_dates = [today - timedelta(days=days) for days in reminder_days(company_settings())]
    invoices = db.session.scalars(
        select(Invoice)
        .where(
            Invoice.status.in_(OPEN_STATUSES),
            Invoice.due_date.in_(due_dates),
            exists().where(InvoiceEmail.invoice_id == Invoice.id, InvoiceEmail.sent_at.is_not(None)),
            ~exists().where(Reminder.invoice_id == Invoice.id, Reminder.sent_on == today),
        )
        .order_by(Invoice.id)
    )
    reminders = []
    for invoice in invoices:
        if not invoice.is_open:
            continue
        reminder = Reminder(invoice_id=invoice.id, days_from_due=(today - invoice.due_date).days, sent_on=today)
        db.session.add(reminder)
        db.session.flush()
        request_job(email_reminder, reminder.id)
        reminders.append(reminder)
    return reminders


def reminder_days(settings: CompanySettings) -> list[int]:
    """The schedule as days from the due date; the settings schema keeps it to "-3,0,7,14" form."""
    return [int(day) for day in settings.reminder_schedule.split(",") if day]


@transactional
def apply_late_fees(today: date) -> list[Invoice]:
    """Issue a late-fee invoice for every full period a work invoice has been overdue and not yet charged for.

    The overdue invoice itself is never changed; each fee is an invoice of its own, emailed to the customer.
    """
    settings = company_settings()
    if not (settings.late_fee_flat or settings.late_fee_percent):
        return []
    overdue_a_period = today - timedelta(days=settings.late_fee_period_days)
    invoices = db.session.scalars(
        select(Invoice)
        .where(Invoice.kind == InvoiceKind.WORK, Invoice.status.in_(OPEN_STATUSES), Invoice.due_date <= overdue_a_period)
        .order_by(Invoice.id)
        # Held until commit: a payment recorded meanwhile waits rather than change the balance a fee is worked out
        # on, and a second run of the round waits, then finds this run's fees.
        .with_for_update()
    ).all()
    fees = []
    for invoice in invoices:
        if invoice.is_overdue(today):
            fees.extend(_charge_late_fees(invoice, today, settings))
    return fees


def _charge_late_fees(invoice: Invoice, today: date, settings: CompanySettings) -> list[Invoice]:
    periods_overdue = (today - invoice.due_date).days // settings.late_fee_period_days
    charged = db.session.scalars(select(Invoice).where(Invoice.late_fee_for_id == invoice.id)).all()
    charged_periods = {fee.late_fee_period for fee in charged}
    # A voided fee was forgiven: it does not count towards the cap.
    charged_total = sum((fee.total for fee in charged if fee.status != InvoiceStatus.VOID), Decimal("0.00"))
    fees = []
    for period in range(1, periods_overdue + 1):
        if period in charged_periods:
            continue
        amount = late_fee(invoice, settings)
        if settings.late_fee_cap is not None:
            amount = min(amount, settings.late_fee_cap - charged_total)
        if amount <= 0:
            break
        line = LineDraft(
            LineKind.LATE_FEE, f"Late fee on {invoice.number} (period {period})", Decimal(1), amount, is_taxable=False
        )
        fee = issue_invoice(
            invoice.customer, [line], kind=InvoiceKind.LATE_FEE, late_fee_for_id=invoice.id, late_fee_period=period
        )
        request_invoice_email(fee)
        charged_total += fee.total
        fees.append(fee)
    return fees


def late_fee(invoice: Invoice, settings: CompanySettings) -> Decimal:
    """One period's fee before the cap: the flat fee plus the percent of what is still owed, to the cent."""
    return to_cents(settings.late_fee_flat + invoice.balance_due * settings.late_fee_percent / HUNDRED)
