"""Background jobs of invoicing. Each takes ids, and is safe to run twice."""
import smtplib

from flask import current_app

from sqlalchemy import select

from dispatch.company.service import company_settings
from dispatch.core import mail
from dispatch.core.time import utcnow
from dispatch.core.tx import transaction
from dispatch.extensions import db
from dispatch.invoicing.models import Invoice, InvoiceEmail
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

