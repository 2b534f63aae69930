"""Many threads on one part at once (PostgreSQL): filings, transfers and counts never drive a level
below zero and never lose an update; every shelf ends as the sum of its ledger."""
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from dispatch.extensions import db
from dispatch.inventory.models import StockLevel, StockMovement

pytestmark = pytest.mark.postgres

THREADS = 12


def all_at_once(calls) -> list:
    """Run each call in its own thread, released together; their (status, body) in order."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(index, call):
        barrier.wait(timeout=30)
        try:
            answer = call()
            answers[index] = (answer.status_code, answer.json)
        except Exception as error:  # a crash in a thread must fail the test, not vanish
            answers[index] = (None, repr(error))

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a booking hung (deadlock?)"
    return answers


def shelves(app, part_id: int) -> dict[int, tuple[int, int]]:
    """location → (level, ledger sum) for the part."""
    with app.app_context():
        levels = dict(db.session.execute(select(StockLevel.location_id, StockLevel.quantity).where(StockLevel.part_id == part_id)).all())
        ledger = dict(db.session.execute(
            select(StockMovement.location_id, func.sum(StockMovement.quantity)).where(StockMovement.part_id == part_id).group_by(StockMovement.location_id)
        ).all())
    return {location: (levels.get(location, 0), ledger.get(location, 0)) for location in set(levels) | set(ledger)}


def test_transfers_and_filings_racing_for_one_shelf_never_overdraw_it(app, shop, api_as, make_user, make_part):
    part = make_part(stock=10, location_id=shop.warehouse_id, sku="TXV-R410A", name="Expansion valve", unit_price="95.00", unit_cost="38.00")
    clerks = [api_as(shop.dispatcher.user) for _ in range(THREADS // 2)]
    crew = [api_as(make_user("technician")) for _ in range(THREADS // 2)]
    van = shop.van_id
    transfer = {"part_id": part["id"], "from_location_id": shop.warehouse_id, "to_location_id": van, "quantity": 2}
    filing = shop.work_order(parts=[{"part_id": part["id"], "quantity": 2, "location_id": shop.warehouse_id}],
                             labor=[{"kind": "onsite", "minutes": 30}], mileage=[], follow_up=None)
    calls = [(lambda clerk=clerk: clerk.post("/stock/transfers", json=transfer)) for clerk in clerks]
    calls += [(lambda technician=technician: technician.post("/work-orders", json=filing)) for technician in crew]

    answers = all_at_once(calls)

    statuses = Counter(status for status, _ in answers)
    assert statuses[201] == 5 and statuses[409] == THREADS - 5, answers  # 10 units, 2 at a time: exactly five get them
    assert shelves(app, part["id"])[shop.warehouse_id] == (0, 0)
    moved_to_van = 2 * sum(1 for index, (status, _) in enumerate(answers) if status == 201 and index < len(clerks))
    # When the filings won every unit, nothing reached the van and it has no shelf for the part at all.
    assert shelves(app, part["id"]).get(van, (0, 0)) == (moved_to_van, moved_to_van)


def test_transfers_both_ways_and_counts_at_once_lose_no_update_and_do_not_deadlock(app, shop, api_as, make_part):
    part = make_part(stock=100, location_id=shop.warehouse_id)
    shop.dispatcher.post("/stock/transfers", json={"part_id": part["id"], "from_location_id": shop.warehouse_id, "to_location_id": shop.van_id, "quantity": 50})
    clerks = [api_as(shop.dispatcher.user) for _ in range(THREADS)]
    there, back = ({"part_id": part["id"], "from_location_id": a, "to_location_id": b, "quantity": 1}
                   for a, b in ((shop.warehouse_id, shop.van_id), (shop.van_id, shop.warehouse_id)))
    calls = [(lambda clerk=clerk, body=(there if index % 2 else back): clerk.post("/stock/transfers", json=body))
             for index, clerk in enumerate(clerks)]

    for _ in range(3):
        answers = all_at_once(calls)
        assert [status for status, _ in answers] == [201] * THREADS, answers

    # Equal numbers each way: where they started, and the ledger agrees to the unit.
    assert shelves(app, part["id"]) == {shop.warehouse_id: (50, 50), shop.van_id: (50, 50)}


def test_a_count_racing_with_filings_leaves_the_ledger_and_level_agreeing(app, shop, api_as, make_user, make_part):
    part = make_part(stock=20, location_id=shop.warehouse_id)
    crew = [api_as(make_user("technician")) for _ in range(THREADS - 1)]
    filing = shop.work_order(parts=[{"part_id": part["id"], "quantity": 1, "location_id": shop.warehouse_id}],
                             labor=[{"kind": "onsite", "minutes": 30}], mileage=[], follow_up=None)
    count = {"location_id": shop.warehouse_id, "reason": "Cycle count", "counts": [{"part_id": part["id"], "counted": 15}]}
    calls = [(lambda technician=technician: technician.post("/work-orders", json=filing)) for technician in crew]
    calls.append(lambda: shop.dispatcher.post("/stock/counts", json=count))

    answers = all_at_once(calls)

    assert 500 not in [status for status, _ in answers] and None not in [status for status, _ in answers], answers
    level, ledger = shelves(app, part["id"])[shop.warehouse_id]
    assert level == ledger >= 0
