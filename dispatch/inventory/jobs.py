"""Background jobs of inventory. Each is safe to run twice."""
from datetime import date

from sqlalchemy import select

from dispatch.auth.models import Role, User
from dispatch.company.service import company_settings
from dispatch.core import mail
from dispatch.core.sql import insert_on_conflict
from dispatch.core.time import company_today
from dispatch.core.tx import transaction
from dispatch.extensions import db
from dispatch.inventory import reordering, service
from dispatch.inventory.models import LowStockDigest


def email_low_stock_digest() -> int:
    """Daily, from cron: one email to the dispatchers listing every shelf at its reorder point,
    with what to order and what each van needs from the warehouse; how many shelves it listed.

    Today's digest row is claimed before sending and kept with the send: a second run the
    same day (a retry, a second scheduler) waits for the first, then finds it sent.
    """
    today = company_today()
    with transaction():
        low = reordering.low_shelves()
        recipients = _recipients()
        if not low or not recipients or not _claim(today):
            return 0
        restocks = [restock for warehouse in service.warehouses()[:1] for restock in reordering.restock_suggestions(warehouse.id)]
        message_id = mail.send(_digest_message(today, low, restocks, recipients))
        digest = db.session.get(LowStockDigest, today)
        digest.shelves, digest.message_id = len(low), message_id
        return len(low)


def _claim(today: date) -> bool:
    claimed = db.session.scalar(
        insert_on_conflict(LowStockDigest)
        .values(sent_on=today, shelves=0, message_id="")
        .on_conflict_do_nothing()
        .returning(LowStockDigest.sent_on)
    )
    return claimed is not None


def _recipients() -> list[str]:
    """The dispatchers; the owner when there is no dispatcher."""
    for role in (Role.DISPATCHER, Role.OWNER):
        emails = list(db.session.scalars(select(User.email).where(User.role == role, User.is_active).order_by(User.id)))
        if emails:
            return emails
    return []


def _digest_message(today: date, low: list, restocks: list, recipients: list[str]):
    company = company_settings()
    lines = [f"Stock at or below its reorder point on {today.isoformat()}:", ""]
    for shelf in low:
        part, level = shelf.level.part, shelf.level
        order = f"; get {shelf.suggested} {part.unit} from {shelf.source}" if shelf.suggested else ""
        lines.append(f"- {part.sku} {part.name}, {level.location.name}: {level.quantity} {part.unit} (reorder point {shelf.reorder_point}){order}")
    if restocks:
        lines += ["", "To bring the vans to their target levels, from the warehouse:"]
        for restock in restocks:
            lines.append(f"{restock.van.name}:")
            lines += [
                f"- {line.part.sku} {line.part.name}: {line.needed} {line.part.unit}"
                + ("" if line.to_send == line.needed else f" (the warehouse has {line.in_warehouse})")
                for line in restock.lines
            ]
    lines += ["", f"{company.name}, Dispatch"]
    return mail.new_message(
        to=", ".join(recipients),
        subject=f"Low stock: {len(low)} {'shelf' if len(low) == 1 else 'shelves'} to reorder or restock ({today.isoformat()})",
        body="\n".join(lines) + "\n",
    )
