"""Background jobs of the client file. Each takes ids, and is safe to run twice."""
from decimal import Decimal

from sqlalchemy import select

from dispatch.auth.models import Role, User
from dispatch.company.service import company_settings
from dispatch.core import mail
from dispatch.core.time import utcnow
from dispatch.core.tx import transaction
from dispatch.customers.models import Customer, SupportBlock
from dispatch.extensions import db

# The share of a support block used at which the dispatcher and the customer are warned.
WARNING_SHARE = Decimal("0.8")


def email_support_block_notices(block_id: int) -> int:
    """Background job: email the 80 % and the "used up" notices that are due and not yet sent; how many.
    The block stays locked while sending, so a second run finds them sent."""
    with transaction():
        block = db.session.scalar(select(SupportBlock).where(SupportBlock.id == block_id).with_for_update())
        if block is None:  # its sale was voided since: nothing to tell anyone
            return 0
        due = []
        if block.hours_used >= block.hours * WARNING_SHARE and block.warned_at is None:
            block.warned_at = utcnow()
            due.append(f"is {block.hours_used / block.hours:.0%} used: {block.hours_left:f} of {block.hours:f} hours left")
        if block.hours_left == 0 and block.ran_out_at is None:
            block.ran_out_at = utcnow()
            due.append(f"has been used up: further labour is invoiced at {block.hourly_rate:,.2f} an hour")
        for notice in due:
            for address in _recipients(block):
                mail.send(_notice(block, address, notice))
        return len(due)


def _recipients(block: SupportBlock) -> list[str]:
    dispatchers = db.session.scalars(select(User.email).where(User.role == Role.DISPATCHER, User.is_active).order_by(User.id))
    return [*dispatchers, db.session.get(Customer, block.customer_id).email]


def _notice(block: SupportBlock, address: str, notice: str):
    customer = db.session.get(Customer, block.customer_id)
    return mail.new_message(
        to=address,
        subject=f"Support block PO {block.po_number} for {customer.name} {notice.split(':')[0]}",
        body=f"Hello,\n\nThe support block of {block.hours:f} hours for {customer.name} (PO {block.po_number}) {notice}.\n\n"
        f"{company_settings().name}\n",
    )
