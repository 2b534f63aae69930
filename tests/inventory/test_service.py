"""Stock bookings: the level and the ledger always agree, even when deliveries arrive at once."""
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dispatch.core.tx import transaction
from dispatch.extensions import db
from dispatch.inventory import service
from dispatch.inventory.models import LocationKind, Part, StockLevel, StockLocation, StockMovement
from tests.conftest import warehouse_id

THREADS = 8
RECEIPTS_PER_THREAD = 5


def level_and_ledger(app, part_id: int, location_id: int) -> tuple[int, int]:
    with app.app_context():
        level = db.session.scalar(
            select(StockLevel.quantity).where(StockLevel.part_id == part_id, StockLevel.location_id == location_id)
        )
        ledger = db.session.scalar(
            select(func.sum(StockMovement.quantity)).where(
                StockMovement.part_id == part_id, StockMovement.location_id == location_id
            )
        )
        return level, ledger


def main_warehouse() -> int:
    return db.session.scalar(select(StockLocation.id).where(StockLocation.kind == LocationKind.WAREHOUSE))


@pytest.mark.postgres
def test_deliveries_booked_at_the_same_moment_all_reach_the_shelf(app, api_as, make_user, make_part):
    dispatcher = make_user("dispatcher")
    clerks = [api_as(dispatcher) for _ in range(THREADS)]  # each with its own client and token
    part = make_part(unit_cost="10.00")
    warehouse = warehouse_id(clerks[0])
    start = threading.Barrier(THREADS)
    statuses = []

    def book_deliveries(clerk, quantity):
        start.wait()
        for _ in range(RECEIPTS_PER_THREAD):
            delivery = {"part_id": part["id"], "location_id": warehouse, "quantity": quantity, "unit_cost": "10.00"}
            statuses.append(clerk.post("/stock/receipts", json=delivery).status_code)

    threads = [threading.Thread(target=book_deliveries, args=(clerk, n)) for n, clerk in enumerate(clerks, start=1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    expected = RECEIPTS_PER_THREAD * sum(range(1, THREADS + 1))  # 5 × (1 + 2 + … + 8) = 180
    assert 500 not in statuses
    assert statuses == [201] * THREADS * RECEIPTS_PER_THREAD
    assert level_and_ledger(app, part["id"], warehouse) == (expected, expected)
    assert clerks[0].get(f"/parts/{part['id']}").json["unit_cost"] == "10.00"


def test_a_delivery_inside_a_failed_use_case_leaves_no_trace(app, app_context, make_user, make_part):
    clerk = make_user("dispatcher")
    part = make_part(stock=5, unit_cost="10.00")
    warehouse = main_warehouse()

    with pytest.raises(RuntimeError):
        with transaction():
            service.receive_stock(
                part_id=part["id"], location_id=warehouse, quantity=20, unit_cost=Decimal("40.00"), actor=clerk
            )
            raise RuntimeError("the rest of the work order failed")

    db.session.expire_all()
    assert db.session.get(Part, part["id"]).unit_cost == Decimal("10.00")
    assert level_and_ledger(app, part["id"], warehouse) == (5, 5)


def test_every_delivery_is_in_the_ledger_with_its_cost_and_who_booked_it(app_context, make_user, make_part):
    clerk = make_user("dispatcher")
    part = make_part(unit_cost="10.00")

    service.receive_stock(
        part_id=part["id"], location_id=main_warehouse(), quantity=6, unit_cost=Decimal("12.50"), actor=clerk, reference="PO-77"
    )

    [movement] = db.session.scalars(select(StockMovement).where(StockMovement.part_id == part["id"]))
    assert (movement.kind, movement.quantity, movement.unit_cost) == ("receipt", 6, Decimal("12.50"))
    assert (movement.reference, movement.created_by_id) == ("PO-77", clerk.id)
