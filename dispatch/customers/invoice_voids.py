"""Voiding an invoice by hand undoes what it billed from the client file, in the same transaction:
a support block sold on it is cancelled, a milestone billed on it can be invoiced again, and
the contacts billed on it wait for the customer's next invoice again."""
from dispatch.core.tx import transactional
from dispatch.customers import contacts, milestones, support_blocks
from dispatch.invoicing import corrections
from dispatch.invoicing.models import Invoice


@transactional
def void_invoice(invoice_id: int, reason: str) -> Invoice:
    invoice = corrections.void_invoice(invoice_id, reason)
    support_blocks.cancel_block_sold_on(invoice.id)
    milestones.release_milestone_billed_on(invoice.id)
    contacts.release_from_invoice(invoice.id)
    return invoice
