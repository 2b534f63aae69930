"""The customer's secret link to their invoice: no login, every opening recorded."""
from sqlalchemy import select

from dispatch.core.errors import NotFound
from dispatch.core.time import company_today, utcnow
from dispatch.core.tokens import link_digest_of
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.invoicing.models import Invoice, InvoiceView


def invoice_for_link(token: str) -> Invoice:
    """The invoice behind a link; any other token, or a link expired after settling, is simply not found."""
    invoice = db.session.scalar(select(Invoice).where(Invoice.link_digest == link_digest_of(token)))
    if invoice is None or (invoice.link_expires_on is not None and company_today() > invoice.link_expires_on):
        raise NotFound("No such invoice.")
    return invoice


def recent_views(invoice: Invoice, limit: int) -> list[InvoiceView]:
    """The latest openings of the customer's link, newest first."""
    query = select(InvoiceView).where(InvoiceView.invoice_id == invoice.id).order_by(InvoiceView.id.desc()).limit(limit)
    return list(db.session.scalars(query))


@transactional
def record_view(token: str, user_agent: str | None) -> Invoice:
    """The customer opened their invoice: count it, and the first opening makes it "viewed"."""
    invoice = invoice_for_link(token)
    now = utcnow()
    db.session.add(InvoiceView(invoice_id=invoice.id, viewed_at=now, user_agent=(user_agent or "")[:300]))
    # Counted in SQL: two openings at the same moment both count.
    invoice.view_count = Invoice.view_count + 1
    invoice.first_viewed_at = invoice.first_viewed_at or now
    invoice.refresh_status()
    return invoice
