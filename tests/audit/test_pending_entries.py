"""Audit entries wait in the session and are written as the transaction commits: what a savepoint
or the transaction rolls back takes its entries with it, and what commits keeps every entry."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from dispatch.audit import service as audit
from dispatch.audit.models import AuditEntry, AuditKind
from dispatch.core.tx import transaction
from dispatch.extensions import db
from dispatch.inventory.models import Part


def new_part(price: str) -> Part:
    part = Part(sku=f"SKU-{price}", name=f"Part at {price}", unit_price=Decimal(price), unit_cost=Decimal("1.00"))
    db.session.add(part)
    return part


def record_price(part: Part) -> None:
    audit.record(AuditKind.STOCK, "part_added", part, amount=part.unit_price)


def logged_amounts(app) -> list[str]:
    with app.app_context():
        return sorted(entry.changes["amount"] for entry in db.session.scalars(select(AuditEntry)))


def test_entries_of_unflushed_subjects_are_written_with_their_ids_at_commit(app, app_context):
    with transaction():
        first, second = new_part("10.00"), new_part("20.00")
        record_price(first)
        record_price(second)
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(entry.subject_type, entry.subject_id) for entry in entries] == [("Part", first.id), ("Part", second.id)]


def test_a_rolled_back_savepoint_takes_its_entries_and_a_released_one_keeps_them(app, app_context):
    with transaction():
        kept = new_part("10.00")
        record_price(kept)
        with db.session.begin_nested():
            released = new_part("20.00")
            record_price(released)
        savepoint = db.session.begin_nested()
        dropped = new_part("30.00")
        db.session.flush()
        record_price(dropped)
        savepoint.rollback()
    assert logged_amounts(app) == ["10.00", "20.00"]


def test_a_rolled_back_transaction_writes_none_and_leaves_nothing_for_the_next(app, app_context):
    with pytest.raises(RuntimeError):
        with transaction():
            doomed = new_part("10.00")
            record_price(doomed)
            raise RuntimeError("refused")
    with transaction():
        new_part("20.00")
    assert logged_amounts(app) == []
