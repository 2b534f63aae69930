"""The stock ledger below HTTP: every level is the sum of its movements, whatever is done and refused."""
import random
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dispatch.core.errors import Conflict, InvalidInput
from dispatch.core.tx import transaction
from dispatch.extensions import db
from dispatch.inventory import service
from dispatch.inventory.models import Part, StockLevel, StockMovement
from tests.conftest import van_id, warehouse_id


def shelves_disagreeing_with_the_ledger() -> list:
    ledger = {
        (location_id, part_id): quantity
        for location_id, part_id, quantity in db.session.execute(
            select(StockMovement.location_id, StockMovement.part_id, func.sum(StockMovement.quantity))
            .group_by(StockMovement.location_id, StockMovement.part_id)
        )
    }
    levels = {(level.location_id, level.part_id): level.quantity for level in db.session.scalars(select(StockLevel))}
    return [shelf for shelf in set(ledger) | set(levels) if ledger.get(shelf, 0) != levels.get(shelf, 0)]


@pytest.fixture
def places(dispatcher_api, api_as):
    """The warehouse and two technicians' vans, by id."""
    sam, ana = api_as("technician"), api_as("technician")
    return [warehouse_id(dispatcher_api), van_id(dispatcher_api, sam.user.id), van_id(dispatcher_api, ana.user.id)]


def test_levels_equal_the_ledger_after_many_random_bookings(app, app_context, make_user, make_part, places):
    clerk = make_user("dispatcher")
    parts = [make_part(unit_cost="10.00")["id"] for _ in range(3)]
    dice = random.Random(20261122)
    done, refused = 0, 0
    for step in range(300):
        part_id, here, there = dice.choice(parts), dice.choice(places), dice.choice(places)
        quantity = dice.randint(1, 6)
        operation = dice.choice(["receive", "use", "transfer", "count", "return"])
        try:
            with transaction():
                if operation == "receive":
                    service.receive_stock(part_id, here, quantity, Decimal(dice.randint(500, 1500)) / 100, clerk, f"PO-{step}")
                elif operation == "use":
                    service.take_stock(db.session.get(Part, part_id), here, quantity, clerk, f"WO-{step}")
                elif operation == "transfer":
                    service.transfer_stock(part_id, here, there, quantity, clerk)
                elif operation == "count":
                    service.count_shelves(here, [{"part_id": part_id, "counted": dice.randint(0, 8)}], "Weekly count", clerk)
                else:
                    service.return_stock([(part_id, here, quantity, Decimal("9.50"))], clerk, f"WO-{step}")
            done += 1
        except (Conflict, InvalidInput):
            refused += 1
        db.session.expire_all()
        assert shelves_disagreeing_with_the_ledger() == [], f"after step {step} ({operation})"
    assert done > 150 and refused > 10  # both paths were exercised
    assert db.session.scalar(select(func.min(StockLevel.quantity))) >= 0


def test_a_transfer_moves_stock_out_of_one_location_into_the_other(app_context, make_user, make_part, places):
    clerk = make_user("dispatcher")
    warehouse, van, _ = places
    part = make_part(stock=10, location_id=warehouse)

    moved_out, moved_in = service.transfer_stock(part["id"], warehouse, van, 4, clerk, reference="Monday restock")

    assert (moved_out.kind, moved_out.quantity, moved_out.location_id) == ("transfer_out", -4, warehouse)
    assert (moved_in.kind, moved_in.quantity, moved_in.location_id) == ("transfer_in", 4, van)
    assert moved_in.reference == moved_out.reference == "Monday restock"
    levels = {level.location_id: level.quantity for level in db.session.scalars(service.stock_levels_query(clerk, part_id=part["id"]))}
    assert levels == {warehouse: 6, van: 4}


def test_moving_more_than_is_there_is_refused_and_changes_nothing(app_context, make_user, make_part, places):
    clerk = make_user("dispatcher")
    warehouse, van, _ = places
    part = make_part(stock=3, location_id=warehouse, sku="CAP-455", name="Capacitor")

    with pytest.raises(Conflict, match="Not enough CAP-455 Capacitor in Main warehouse: 3 there, 4 to move"):
        service.transfer_stock(part["id"], warehouse, van, 4, clerk)

    db.session.expire_all()
    assert {level.location_id: level.quantity for level in db.session.scalars(service.stock_levels_query(clerk, part_id=part["id"]))} == {warehouse: 3}
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 1  # the receipt only


@pytest.mark.parametrize("quantity", [0, -2, 2.5, True, "3"])
def test_the_service_itself_refuses_anything_but_a_whole_positive_quantity(app_context, make_user, make_part, places, quantity):
    clerk = make_user("dispatcher")
    part = make_part(stock=5, location_id=places[0])

    with pytest.raises(InvalidInput):
        service.transfer_stock(part["id"], places[0], places[1], quantity, clerk)


def test_a_count_sets_each_counted_shelf_and_books_the_differences_with_the_reason(app_context, make_user, make_part, places):
    clerk = make_user("dispatcher")
    van = places[1]
    fuse, filter_, relay = (make_part(stock=stock, location_id=van, unit_cost="4.00") for stock in (5, 2, 7))

    adjustments = service.count_shelves(
        van, [{"part_id": fuse["id"], "counted": 3}, {"part_id": filter_["id"], "counted": 4}, {"part_id": relay["id"], "counted": 7}],
        "Quarterly count", clerk,
    )

    assert sorted((movement.part_id, movement.quantity) for movement in adjustments) == [(fuse["id"], -2), (filter_["id"], 2)]
    assert {movement.note for movement in adjustments} == {"Quarterly count"}
    assert {movement.unit_cost for movement in adjustments} == {Decimal("4.00")}
    levels = {level.part_id: level.quantity for level in db.session.scalars(service.stock_levels_query(clerk, location_id=van))}
    assert levels == {fuse["id"]: 3, filter_["id"]: 4, relay["id"]: 7}


def test_returned_parts_come_back_at_what_they_cost_when_used(app_context, make_user, make_part, places):
    clerk = make_user("dispatcher")
    warehouse = places[0]
    part = make_part(stock=1, location_id=warehouse, unit_cost="10.00")
    service.take_stock(db.session.get(Part, part["id"]), warehouse, 1, clerk, "WO-1")  # used at 10.00
    service.receive_stock(part["id"], warehouse, 1, Decimal("20.00"), clerk)  # the next one cost 20.00

    [movement] = service.return_stock([(part["id"], warehouse, 1, Decimal("10.00"))], clerk, "WO-1")

    assert (movement.kind, movement.quantity, movement.unit_cost, movement.reference) == ("return", 1, Decimal("10.00"), "WO-1")
    # Two on the shelf, one bought at 20.00 and one back at 10.00: 15.00 each on average.
    assert db.session.get(Part, part["id"]).unit_cost == Decimal("15.00")
