"""Support blocks: prepaid hours that a customer's labour draws down instead of being invoiced hourly.

A block is sold on an invoice of its own. Filing a work order takes its labour hours from the
customer's blocks, oldest first; what does not fit is invoiced at the normal rate (overage).
Hours are never drawn below zero, which a CHECK constraint also guarantees. At 80 % used and
when a block runs out, the dispatchers and the customer are emailed, once each.
"""
from decimal import Decimal

from sqlalchemy import bindparam, select, text

from dispatch.auth.models import User
from dispatch.company.service import company_settings
from dispatch.core.errors import Conflict
from dispatch.core.tx import transactional
from dispatch.customers.jobs import WARNING_SHARE, email_support_block_notices
from dispatch.customers.models import SupportBlock, SupportDrawdown
from dispatch.customers.service import get_customer
from dispatch.extensions import db
from dispatch.invoicing import service as invoicing
from dispatch.invoicing.models import LineKind
from dispatch.invoicing.service import LineDraft
from dispatch.jobs import request_job

ZERO = Decimal("0.00")


@transactional
def sell_support_block(customer_id: int, hours: Decimal, po_number: str, actor: User,
                       hourly_rate: Decimal | None = None) -> SupportBlock:
    customer = get_customer(customer_id)
    if not customer.is_active:
        raise Conflict(f"{customer.name}'s file is closed: reopen it first.")
    settings = company_settings()
    rate = settings.labor_rate_remote if hourly_rate is None else hourly_rate
    po_number = po_number.strip()
    line = LineDraft(LineKind.LABOR, f"Support block of {hours:f} hours (PO {po_number})", hours, rate, settings.is_labor_taxable)
    invoice = invoicing.issue_invoice(customer, [line], po_number=po_number)
    invoicing.request_invoice_email(invoice)
    block = SupportBlock(
        customer_id=customer.id, hours=hours, hourly_rate=rate, po_number=po_number, invoice_id=invoice.id, sold_by_id=actor.id
    )
    db.session.add(block)
    db.session.flush()
    return block


def support_blocks_of(customer_id: int) -> list[SupportBlock]:
    return list(db.session.scalars(select(SupportBlock).where(SupportBlock.customer_id == customer_id).order_by(SupportBlock.id)))


def draw_labour(customer_id: int, work_order_id: int, lines: list[LineDraft]) -> tuple[list[LineDraft], list[str]]:
    """The work order's invoice lines with its labour taken from the customer's blocks first, and the
    PO numbers of the blocks it touched. Joins the caller's transaction."""
    blocks = _blocks_with_hours_left(customer_id) if any(line.kind == LineKind.LABOR for line in lines) else []
    drawn_lines, touched = [], []
    for line in lines:
        if line.kind != LineKind.LABOR or not blocks:
            drawn_lines.append(line)
            continue
        left = line.quantity
        while left > 0 and blocks:
            block = blocks[0]
            hours = min(left, block.hours_left)
            block.hours_used += hours
            left -= hours
            db.session.add(SupportDrawdown(support_block_id=block.id, work_order_id=work_order_id, hours=hours))
            drawn_lines.append(
                LineDraft(LineKind.LABOR, f"{line.description}: from support block PO {block.po_number}", hours, ZERO,
                          line.is_taxable, line.labour_kind)
            )
            touched += [block] if block not in touched else []
            if block.hours_left == 0:
                blocks.pop(0)
        if left > 0:
            drawn_lines.append(
                LineDraft(LineKind.LABOR, f"{line.description}: beyond the support block", left, line.unit_price,
                          line.is_taxable, line.labour_kind)
            )
    for block in touched:
        if block.hours_used >= block.hours * WARNING_SHARE:
            request_job(email_support_block_notices, block.id)
    db.session.flush()
    return drawn_lines, [block.po_number for block in touched]


def give_back_hours(work_order_id: int) -> None:
    """A void work order's labour was never done: the hours it drew go back on their blocks."""
    drawdowns = db.session.scalars(select(SupportDrawdown).where(SupportDrawdown.work_order_id == work_order_id)).all()
    for drawdown in drawdowns:
        block = db.session.scalar(select(SupportBlock).where(SupportBlock.id == drawdown.support_block_id).with_for_update())
        block.hours_used -= drawdown.hours
        db.session.delete(drawdown)
    db.session.flush()


# Read by table, not model: the work orders draw on the blocks, so customers never import them.
WORK_ORDER_NUMBERS = text("SELECT number FROM work_orders WHERE id IN :ids ORDER BY number").bindparams(
    bindparam("ids", expanding=True)
)


def cancel_block_sold_on(invoice_id: int) -> None:
    """The invoice that sold a block is void: the block was never sold, so it goes, and the void
    invoice keeps the sale's record. Hours already drawn from it were real work the customer
    received as prepaid: cancelling under them would leave that work unbilled, or rebill it
    without anyone deciding to, so it is refused naming those work orders. The office then
    chooses: void them (their hours go back on the block) or credit the sale invoice instead."""
    block = db.session.scalar(select(SupportBlock).where(SupportBlock.invoice_id == invoice_id).with_for_update())
    if block is None:
        return
    drawn_on = {drawdown.work_order_id for drawdown in db.session.scalars(
        select(SupportDrawdown).where(SupportDrawdown.support_block_id == block.id)
    )}
    if drawn_on:
        numbers = ", ".join(db.session.scalars(WORK_ORDER_NUMBERS, {"ids": sorted(drawn_on)}))
        raise Conflict(
            f"Hours of support block PO {block.po_number} were used on {numbers}: void those work orders first, "
            "or credit this invoice instead of voiding it."
        )
    db.session.delete(block)
    db.session.flush()


def _blocks_with_hours_left(customer_id: int) -> list[SupportBlock]:
    # Locked, oldest first: two work orders filed at once draw one after the other, never the same hour twice.
    return list(
        db.session.scalars(
            select(SupportBlock)
            .where(SupportBlock.customer_id == customer_id, SupportBlock.hours_used < SupportBlock.hours)
            .order_by(SupportBlock.id)
            .with_for_update()
        )
    )
