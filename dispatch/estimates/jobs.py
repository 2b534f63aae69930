"""Background jobs of estimates. Each takes ids, and is safe to run twice."""
from flask import current_app

from dispatch.company.service import company_settings
from dispatch.core import mail
from dispatch.core.time import utcnow
from dispatch.core.tx import transaction
from dispatch.estimates.models import Estimate, EstimateStatus
from dispatch.estimates.pdf import render_estimate_pdf
from dispatch.extensions import db


def email_estimate(estimate_id: int) -> int:
    """Email the estimate's PDF and link to the customer, unless that is done; how many were sent.

    The estimate stays locked while we send, so a second run of this job waits, then
    finds sent_at set and sends nothing. If SMTP fails the job raises for RQ to retry;
    once RQ gives up, sent_at stays empty for the dispatcher to see and send again.
    """
    with transaction():
        estimate = db.session.get(Estimate, estimate_id, with_for_update=True, populate_existing=True)
        if estimate is None or estimate.sent_at is not None:
            return 0
        mail.send(_estimate_message(estimate, render_estimate_pdf(estimate, company_settings())))
        estimate.sent_at = utcnow()
        if estimate.status == EstimateStatus.DRAFT:
            estimate.status = EstimateStatus.SENT
        return 1


def customer_link(estimate: Estimate) -> str:
    return f"{current_app.config['PUBLIC_URL']}/e/{estimate.view_token}"


def _estimate_message(estimate: Estimate, attachment: bytes):
    company = company_settings()
    message = mail.new_message(
        to=estimate.customer.email,
        subject=f"Estimate {estimate.number} from {company.name}: {estimate.total:,.2f}",
        body=(
            f"Hello {estimate.customer.name},\n\n"
            f"Please find attached estimate {estimate.number} for {estimate.total:,.2f}, "
            f"valid until {estimate.valid_until.isoformat()}.\n\n"
            f"To accept it and book the visit, or to decline it, open: {customer_link(estimate)}\n\n"
            f"Thank you for asking us.\n{company.name}\n"
        ),
    )
    message.add_attachment(attachment, maintype="application", subtype="pdf", filename=f"{estimate.number}.pdf")
    return message
