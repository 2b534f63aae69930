"""Transfers, counts, targets, low stock, restocking and the stock reports over the JSON API."""
import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from dispatch.extensions import db
from dispatch.inventory.models import StockLevel, StockMovement
from tests.conftest import van_id, warehouse_id


def movements(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StockMovement))


def on_hand(api, part_id: int, location_id: int) -> int:
    levels = api.get("/stock", query_string={"part_id": part_id, "location_id": location_id}).json
    return sum(level["quantity"] for level in levels)


@pytest.fixture
def van(dispatcher_api, technician_api) -> int:
    return van_id(dispatcher_api, technician_api.user.id)


# Catalogue -----------------------------------------------------------------------------------


def test_a_part_has_a_unit_a_category_and_reorder_settings_that_the_office_can_change(dispatcher_api, technician_api):
    part = dispatcher_api.post("/parts", json={"sku": "PVC-34", "name": "PVC pipe 3/4 in", "unit": "ft", "unit_price": "1.60",
                                               "unit_cost": "0.54", "category": "Plumbing", "reorder_point": 50, "reorder_quantity": 200}).json

    changed = dispatcher_api.patch(f"/parts/{part['id']}", json={"category": "Pipe", "reorder_point": 40, "is_active": False})

    assert changed.status_code == 200
    assert (changed.json["unit"], changed.json["category"], changed.json["reorder_point"], changed.json["reorder_quantity"]) == ("ft", "Pipe", 40, 200)
    assert dispatcher_api.get("/parts").json == []  # inactive: no longer offered
    assert [found["sku"] for found in dispatcher_api.get("/parts", query_string={"include_inactive": "true", "category": "Pipe"}).json] == ["PVC-34"]
    assert technician_api.patch(f"/parts/{part['id']}", json={"category": "Mine"}).status_code == 403


@pytest.mark.parametrize(("change", "field"), [({"unit_cost": "1.00"}, "unit_cost"), ({"reorder_point": -1}, "reorder_point"),
                                               ({"reorder_quantity": 2.5}, "reorder_quantity"), ({"unit": " "}, "unit")])
def test_a_bad_part_change_is_refused_by_field(dispatcher_api, make_part, change, field):
    part = make_part(unit_cost="5.00")

    answer = dispatcher_api.patch(f"/parts/{part['id']}", json=change)

    assert answer.status_code == 422
    assert field in answer.json["errors"]
    assert dispatcher_api.get(f"/parts/{part['id']}").json == part


# Transfers -----------------------------------------------------------------------------------


def test_a_transfer_restocks_a_van_from_the_warehouse(dispatcher_api, make_part, van):
    warehouse = warehouse_id(dispatcher_api)
    part = make_part(stock=10)

    answer = dispatcher_api.post("/stock/transfers", json={"part_id": part["id"], "from_location_id": warehouse, "to_location_id": van, "quantity": 4})

    assert answer.status_code == 201
    assert (answer.json["transfer_out"]["quantity"], answer.json["transfer_in"]["quantity"]) == (-4, 4)
    assert (on_hand(dispatcher_api, part["id"], warehouse), on_hand(dispatcher_api, part["id"], van)) == (6, 4)


def test_transferring_more_than_is_there_is_a_409_that_changes_nothing(app, dispatcher_api, make_part, van):
    warehouse = warehouse_id(dispatcher_api)
    part = make_part(stock=3, sku="CAP-455")

    answer = dispatcher_api.post("/stock/transfers", json={"part_id": part["id"], "from_location_id": warehouse, "to_location_id": van, "quantity": 5})

    assert answer.status_code == 409
    assert "CAP-455" in answer.json["message"] and "3 there" in answer.json["message"]
    assert (on_hand(dispatcher_api, part["id"], warehouse), on_hand(dispatcher_api, part["id"], van)) == (3, 0)
    assert movements(app) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": -2}, "quantity"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"quantity": "2"}, "quantity"),
        ({"part_id": 999999}, "part_id"),
        ({"from_location_id": 999999}, "from_location_id"),
        ({"to_location_id": 2**31}, "to_location_id"),
        ({"to_location_id": "warehouse"}, "to_location_id"),
        ({"to_location_id": None}, "to_location_id"),
        ("same place", "to_location_id"),
    ],
)
def test_bad_transfer_input_is_a_422_by_field_and_changes_nothing(app, dispatcher_api, make_part, van, change, field):
    warehouse = warehouse_id(dispatcher_api)
    part = make_part(stock=5)
    transfer = {"part_id": part["id"], "from_location_id": warehouse, "to_location_id": van, "quantity": 2}
    change = {"to_location_id": warehouse} if change == "same place" else change

    answer = dispatcher_api.post("/stock/transfers", json={**transfer, **change})

    assert answer.status_code == 422
    assert field in answer.json["errors"]
    assert (on_hand(dispatcher_api, part["id"], warehouse), on_hand(dispatcher_api, part["id"], van)) == (5, 0)
    assert movements(app) == 1


def test_technicians_cannot_move_stock(app, technician_api, dispatcher_api, make_part, van):
    part = make_part(stock=5)
    transfer = {"part_id": part["id"], "from_location_id": warehouse_id(dispatcher_api), "to_location_id": van, "quantity": 2}

    assert technician_api.post("/stock/transfers", json=transfer).status_code == 403
    assert movements(app) == 1


# Counts --------------------------------------------------------------------------------------


def test_a_technician_counts_their_van_and_posts_the_differences_in_one_go(technician_api, dispatcher_api, make_part, van):
    fuse, relay = make_part(stock=5, location_id=van), make_part(stock=2, location_id=van)

    answer = technician_api.post("/stock/counts", json={
        "location_id": van, "reason": "Friday shelf count",
        "counts": [{"part_id": fuse["id"], "counted": 4}, {"part_id": relay["id"], "counted": 2}],
    })

    assert answer.status_code == 201
    [adjustment] = answer.json["adjustments"]
    assert (adjustment["kind"], adjustment["part_id"], adjustment["quantity"], adjustment["note"]) == ("adjustment", fuse["id"], -1, "Friday shelf count")
    assert (on_hand(technician_api, fuse["id"], van), on_hand(technician_api, relay["id"], van)) == (4, 2)


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"counts": [{"part_id": "fuse", "counted": -1}]}, 422, "counts"),
        ({"counts": [{"part_id": "fuse", "counted": 2.5}]}, 422, "counts"),
        ({"counts": [{"part_id": 999999, "counted": 1}]}, 422, "counts"),
        ({"counts": [{"part_id": "fuse", "counted": 1}, {"part_id": "fuse", "counted": 2}]}, 422, "counts"),
        ({"counts": []}, 422, "counts"),
        ({"reason": "  "}, 422, "reason"),
        ({"location_id": 999999}, 422, "location_id"),
        ({"location_id": "another van"}, 422, "location_id"),
        ({"location_id": "warehouse"}, 403, None),
    ],
)
def test_a_bad_count_changes_nothing(app, api_as, dispatcher_api, technician_api, make_part, van, change, status, field):
    fuse = make_part(stock=5, location_id=van)
    others_van = van_id(dispatcher_api, api_as("technician").user.id)
    places = {"another van": others_van, "warehouse": warehouse_id(dispatcher_api)}
    count = {"location_id": van, "reason": "Count", "counts": [{"part_id": fuse["id"], "counted": 3}], **change}
    count["location_id"] = places.get(count["location_id"], count["location_id"])
    count["counts"] = [{**line, "part_id": fuse["id"] if line["part_id"] == "fuse" else line["part_id"]} for line in count["counts"]]

    answer = technician_api.post("/stock/counts", json=count)

    assert answer.status_code == status
    if field:
        assert field in answer.json["errors"]
    assert on_hand(technician_api, fuse["id"], van) == 5
    assert movements(app) == 1


# Targets, low stock, restocking --------------------------------------------------------------


def test_low_shelves_and_what_each_van_needs_from_the_warehouse(dispatcher_api, technician_api, make_part, van):
    warehouse = warehouse_id(dispatcher_api)
    make_part(stock=3, sku="FLT-1620", reorder_point=5, reorder_quantity=24)
    igniter = make_part(stock=10, sku="IGN-HSI")
    dispatcher_api.post("/stock/receipts", json={"part_id": igniter["id"], "location_id": van, "quantity": 1, "unit_cost": "11.80"})
    targets = dispatcher_api.post("/stock/targets", json={"part_id": igniter["id"], "location_id": van, "reorder_point": 1, "target_quantity": 4})

    low = dispatcher_api.get("/stock/low").json
    restock = dispatcher_api.get("/stock/restock-suggestions").json

    assert targets.status_code == 200
    assert (targets.json["reorder_point"], targets.json["target_quantity"]) == (1, 4)
    assert {(shelf["sku"], shelf["location_id"], shelf["quantity"], shelf["reorder_point"], shelf["suggested_quantity"]) for shelf in low} == {
        ("FLT-1620", warehouse, 3, 5, 24),  # from the supplier: the reorder quantity
        ("IGN-HSI", van, 1, 1, 3),  # from the warehouse: up to the van's target
    }
    assert restock == [{"van_id": van, "technician_id": technician_api.user.id, "lines": [
        {"part_id": igniter["id"], "sku": "IGN-HSI", "on_van": 1, "target": 4, "needed": 3, "in_warehouse": 10, "to_send": 3}
    ]}]


def test_restocking_a_van_moves_what_it_needs_as_far_as_the_warehouse_has_it(dispatcher_api, make_part, van):
    warehouse = warehouse_id(dispatcher_api)
    igniter, sensor = make_part(stock=10), make_part(stock=1)
    for part, target in ((igniter, 4), (sensor, 3)):
        dispatcher_api.post("/stock/targets", json={"part_id": part["id"], "location_id": van, "target_quantity": target})

    answer = dispatcher_api.post(f"/stock-locations/{van}/restock", json={})

    assert answer.status_code == 201
    assert sorted((movement["kind"], movement["quantity"]) for movement in answer.json) == [
        ("transfer_in", 1), ("transfer_in", 4), ("transfer_out", -4), ("transfer_out", -1)
    ]
    assert [on_hand(dispatcher_api, part["id"], van) for part in (igniter, sensor)] == [4, 1]
    assert [on_hand(dispatcher_api, part["id"], warehouse) for part in (igniter, sensor)] == [6, 0]
    again = dispatcher_api.post(f"/stock-locations/{van}/restock", json={})
    assert again.status_code == 422  # nothing more the warehouse can send


@pytest.mark.parametrize("targets", [{"target_quantity": -1}, {"reorder_point": 1.5}, {"part_id": 999999}, {"location_id": 999999}])
def test_bad_targets_are_refused(dispatcher_api, make_part, van, targets):
    part = make_part()

    answer = dispatcher_api.post("/stock/targets", json={"part_id": part["id"], "location_id": van, "target_quantity": 3, **targets})

    assert answer.status_code == 422
    assert dispatcher_api.get("/stock", query_string={"part_id": part["id"]}).json == []


# Reports -------------------------------------------------------------------------------------


def test_stock_valuation_is_quantity_times_average_cost_per_location(dispatcher_api, make_part, van):
    make_part(stock=10, unit_cost="11.80")  # 118.00
    make_part(stock=3, unit_cost="0.35")  # 1.05
    make_part(stock=2, location_id=van, unit_cost="96.40")  # 192.80 in the van

    answer = dispatcher_api.get("/stock/valuation")
    download = dispatcher_api.get("/stock/valuation", query_string={"format": "csv"})

    values = {row["location_id"]: (row["quantity"], row["value"]) for row in answer.json}
    assert values == {warehouse_id(dispatcher_api): (13, "119.05"), van: (2, "192.80")}
    assert download.content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert sorted(row["Value"] for row in rows) == ["1.05", "118.00", "192.80"]


def test_a_parts_movements_over_a_date_range_with_running_quantity(dispatcher_api, make_part, van):
    part = make_part(stock=10, sku="FLT-1620")
    dispatcher_api.post("/stock/transfers", json={"part_id": part["id"], "from_location_id": warehouse_id(dispatcher_api), "to_location_id": van, "quantity": 4})
    today = datetime.now(UTC).date().isoformat()  # the test company's timezone is UTC
    query = {"part_id": part["id"], "from": today, "to": today}

    history = dispatcher_api.get("/stock/movements", query_string=query).json
    van_only = dispatcher_api.get("/stock/movements", query_string={**query, "location_id": van}).json
    download = dispatcher_api.get("/stock/movements", query_string={**query, "format": "csv"})

    assert (history["opening"], history["closing"]) == (0, 10)
    assert [(line["movement"]["kind"], line["balance"]) for line in history["movements"]] == [("receipt", 10), ("transfer_out", 6), ("transfer_in", 10)]
    assert [line["balance"] for line in van_only["movements"]] == [4]
    assert "FLT-1620" in download.headers["Content-Disposition"]
    assert [row["Kind"] for row in csv.DictReader(io.StringIO(download.get_data(as_text=True)))] == ["receipt", "transfer_out", "transfer_in"]
    earlier = dispatcher_api.get("/stock/movements", query_string={**query, "from": "2020-01-01", "to": "2020-01-31"}).json
    assert (earlier["opening"], earlier["movements"]) == (0, [])
    assert dispatcher_api.get("/stock/movements", query_string={**query, "from": "2030-01-02", "to": "2030-01-01"}).status_code == 422


def test_stock_reports_are_for_the_office(technician_api):
    assert technician_api.get("/stock/valuation").status_code == 403
    assert technician_api.get("/stock/low").status_code == 403


def test_a_level_stays_the_ledger_sum_after_every_kind_of_booking(app, dispatcher_api, technician_api, make_part, van):
    part = make_part(stock=10)
    dispatcher_api.post("/stock/transfers", json={"part_id": part["id"], "from_location_id": warehouse_id(dispatcher_api), "to_location_id": van, "quantity": 6})
    technician_api.post("/stock/counts", json={"location_id": van, "reason": "Count", "counts": [{"part_id": part["id"], "counted": 5}]})

    with app.app_context():
        for level in db.session.scalars(select(StockLevel).where(StockLevel.part_id == part["id"])):
            ledger = db.session.scalar(select(func.sum(StockMovement.quantity)).where(
                StockMovement.part_id == part["id"], StockMovement.location_id == level.location_id))
            assert level.quantity == ledger
