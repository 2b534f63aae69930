"""Background jobs of invoicing. Each takes ids, and is safe to run twice."""
import smtplib

from flask import current_app

from sqlalchemy import select

from dispatch.company.service import company_settings
from dispatch.core import mail
from dispatch.core.time import utcnow
from dispatch.core.tx import transaction
from dispatch.extensions import db
from dispatch.invoicing.models import Invoice, InvoiceEmail, Reminder
from dispatch.invoicing.pdf import render_invoice_pdf
from dispatch.jobs import is_last_attempt


def email_invoice(invoice_id: int) -> int:
    """Email the invoice PDF for every request still waiting; how many were sent.

    The waiting requests stay locked while we send, so a second run of this job
    waits, then finds nothing left to send. If SMTP fails the job raises for RQ
    to retry; on the last attempt the failure is recorded on the request instead,
    for the dispatcher to see and resend.
    """
    with transaction():
        waiting = db.session.scalars(
            select(InvoiceEmail)
            .where(InvoiceEmail.invoice_id == invoice_id, InvoiceEmail.sent_at.is_(None), InvoiceEmail.failed_at.is_(None))
            .order_by(InvoiceEmail.id)
            .with_for_update()
        ).all()
        if not waiting:
            return 0
        invoice = db.session.get(Invoice, invoice_id)
        attachment = render_invoice_pdf(invoice, company_settings())
        for email in waiting:
            try:
                email.message_id = mail.send(_invoice_message(invoice, email.to_address, attachment))
            except (smtplib.SMTPException, OSError) as error:
                if not is_last_attempt():
                    raise
                email.failed_at, email.failure = utcnow(), f"{type(error).__name__}: {error}"
                continue
            email.sent_at = utcnow()
        invoice.refresh_status()
        return sum(1 for email in waiting if email.sent_at)


def customer_link(invoice: Invoice) -> str:
    return f"{current_app.config['PUBLIC_URL']}/i/{invoice.view_token}"


def _invoice_message(invoice: Invoice, to_address: str, attachment: bytes):
    company = company_settings()
    message = mail.new_message(
        to=to_address,
        subject=f"Invoice {invoice.number} from {company.name}: {invoice.total:,.2f} due {invoice.due_date.isoformat()}",
        body=(
            f"Hello {invoice.customer.name},\n\n"
            f"Please find attached invoice {invoice.number} for {invoice.total:,.2f}, "
            f"due by {invoice.due_date.isoformat()}.\n\n"
            f"You can also see it, and download it, here: {customer_link(invoice)}\n\n"
            f"Thank you for your business.\n{company.name}\n"
        ),
    )
    message.add_attachment(attachment, maintype="application", subtype="pdf", filename=f"{invoice.number}.pdf")
    return message


def chase_payments() -> dict:
    """Daily, from cron: today's late fees and payment reminders. Safe to run twice in a day."""
    # Imported here: collections requests this module's jobs, so this module cannot import it first.
    from dispatch.invoicing import collections

    fees, reminders = collections.chase_payments()
    return {"late_fees": len(fees), "reminders": len(reminders)}


def email_reminder(reminder_id: int) -> bool:
    """Email one payment reminder; whether it went out now.

    The reminder stays locked while we send, so a second run of this job waits,
    then finds it sent. An invoice settled since the reminder was recorded is not
    chased: the reminder stays unsent. SMTP failures raise for RQ to retry.
    """
    with transaction():
        reminder = db.session.scalars(select(Reminder).where(Reminder.id == reminder_id).with_for_update()).one()
        invoice = db.session.get(Invoice, reminder.invoice_id)
        if reminder.sent_at is not None or not invoice.is_open:
            return False
        reminder.message_id = mail.send(_reminder_message(invoice, reminder))
        reminder.sent_at = utcnow()
        return True


def _reminder_message(invoice: Invoice, reminder: Reminder):
    company = company_settings()
    balance, due_on = f"{invoice.balance_due:,.2f}", invoice.due_date.isoformat()
    if reminder.days_from_due < 0:
        subject, news = f"due {due_on}", f"invoice {invoice.number} is due on {due_on}"
    elif reminder.days_from_due == 0:
        subject, news = "due today", f"invoice {invoice.number} is due today, {due_on}"
    else:
        subject, news = f"was due {due_on}", f"invoice {invoice.number} was due on {due_on} and is still open"
    return mail.new_message(
        to=invoice.customer.email,
        subject=f"Reminder: invoice {invoice.number} from {company.name}, {balance} {subject}",
        body=(
            f"Hello {invoice.customer.name},\n\n"
            f"A friendly reminder that {news}.\n\n"
            f"Balance due: {balance}\n"
            f"Due date: {due_on}\n\n"
            f"You can see the invoice, download it and find how to pay here: {customer_link(invoice)}\n\n"
            f"If your payment is already on its way, thank you, and please disregard this reminder.\n\n"
            f"Kind regards,\n{company.name}\n"
        ),
    )
