"""Parts, stock locations, deliveries and stock levels over the JSON API."""

import pytest
from sqlalchemy import func, select

from dispatch.extensions import db
from dispatch.inventory.models import Part, StockLevel, StockMovement
from tests.conftest import PASSWORD, van_id, warehouse_id

CAPACITOR = {"sku": "CAP-455", "name": "Capacitor 45/5 MFD", "unit_price": "42.00", "unit_cost": "11.80"}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def on_hand(api, part_id: int, location_id: int) -> int:
    levels = api.get("/stock", query_string={"part_id": part_id, "location_id": location_id}).json
    return sum(level["quantity"] for level in levels)


# Parts ----------------------------------------------------------------------------------------


def test_a_new_part_shows_its_prices_as_money(dispatcher_api):
    answer = dispatcher_api.post("/parts", json={**CAPACITOR, "unit_price": "42", "unit_cost": 11.8})

    assert answer.status_code == 201
    part = dispatcher_api.get(f"/parts/{answer.json['id']}").json
    assert (part["sku"], part["unit_price"], part["unit_cost"], part["is_taxable"]) == ("CAP-455", "42.00", "11.80", True)


def test_a_price_sent_as_a_json_number_is_accepted_exactly(dispatcher_api):
    answer = dispatcher_api.post("/parts", json={**CAPACITOR, "unit_price": 12.5})

    assert answer.status_code == 201
    assert answer.json["unit_price"] == "12.50"


def test_a_duplicate_sku_is_refused(app, dispatcher_api):
    dispatcher_api.post("/parts", json=CAPACITOR)

    answer = dispatcher_api.post("/parts", json={**CAPACITOR, "sku": " CAP-455 ", "name": "Another capacitor"})

    assert answer.status_code == 422
    assert "sku" in answer.json["errors"]
    assert count(app, Part) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"unit_price": "-1.00"}, "unit_price"),
        ({"unit_cost": -0.01}, "unit_cost"),
        ({"unit_price": "12.345"}, "unit_price"),
        ({"unit_price": "twelve"}, "unit_price"),
        ({"unit_price": "NaN"}, "unit_price"),
        ({"unit_price": "99999999999.00"}, "unit_price"),  # more than the ledger's 12 digits
        ({"sku": ""}, "sku"),
        ({"sku": "   "}, "sku"),
        ({"name": None}, "name"),
        ({"is_taxable": "maybe"}, "is_taxable"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_part_input_is_refused_by_field_and_saves_nothing(app, dispatcher_api, change, field):
    answer = dispatcher_api.post("/parts", json={**CAPACITOR, **change})

    assert answer.status_code == 422
    assert field in answer.json["errors"]
    assert count(app, Part) == 0


def test_technicians_read_and_search_the_catalogue_but_cannot_add_to_it(app, technician_api, make_part):
    make_part(sku="CAP-455", name="Capacitor 45/5 MFD")
    make_part(sku="MTR-1075", name="Condenser fan motor")

    def found(search):
        return [part["sku"] for part in technician_api.get("/parts", query_string={"q": search}).json]

    assert technician_api.post("/parts", json={**CAPACITOR, "sku": "NEW-1"}).status_code == 403
    assert count(app, Part) == 2
    assert found("mtr-10") == ["MTR-1075"]
    assert found("capacitor") == ["CAP-455"]
    assert found("") == ["CAP-455", "MTR-1075"]


def test_technicians_do_not_see_what_parts_cost(technician_api, make_part):
    part = make_part()

    assert "unit_cost" not in technician_api.get("/parts").json[0]
    assert "unit_cost" not in technician_api.get(f"/parts/{part['id']}").json


def test_a_sku_search_takes_underscore_literally(dispatcher_api, make_part):
    make_part(sku="FLT_20")
    make_part(sku="FLTX20")

    answer = dispatcher_api.get("/parts", query_string={"q": "flt_"})

    assert [part["sku"] for part in answer.json] == ["FLT_20"]


@pytest.mark.parametrize("part_id", [999999, 2**31, 10**20])  # beyond what a database key holds, too
def test_an_unknown_part_is_404(technician_api, part_id):
    assert technician_api.get(f"/parts/{part_id}").status_code == 404


def test_the_catalogue_needs_a_token(client):
    assert client.get("/api/v1/parts").status_code == 401
    assert client.get("/api/v1/stock").status_code == 401
    assert client.get("/api/v1/stock-locations").status_code == 401


# Stock locations ------------------------------------------------------------------------------


def test_the_company_starts_with_a_main_warehouse(dispatcher_api):
    assert dispatcher_api.get("/stock-locations").json == [
        {"id": warehouse_id(dispatcher_api), "name": "Main warehouse", "kind": "warehouse", "technician_id": None}
    ]


def test_a_new_technician_gets_a_van(owner_api):
    new_user = {"email": "sam@example.test", "name": "Sam Ortiz", "password": PASSWORD, "role": "technician"}

    technician = owner_api.post("/users", json=new_user).json

    vans = [location for location in owner_api.get("/stock-locations").json if location["kind"] == "van"]
    assert [(van["technician_id"], van["name"]) for van in vans] == [(technician["id"], "Van – Sam Ortiz")]


def test_a_new_dispatcher_gets_no_van(owner_api):
    new_user = {"email": "dee@example.test", "name": "Dee", "password": PASSWORD, "role": "dispatcher"}

    assert owner_api.post("/users", json=new_user).status_code == 201
    assert [location["kind"] for location in owner_api.get("/stock-locations").json] == ["warehouse"]


def test_a_technician_sees_the_warehouse_and_their_own_van_only(api_as, dispatcher_api):
    sam, ana = api_as("technician"), api_as("technician")

    seen_by_sam = {(location["kind"], location["technician_id"]) for location in sam.get("/stock-locations").json}
    seen_by_dispatcher = {location["technician_id"] for location in dispatcher_api.get("/stock-locations").json}

    assert seen_by_sam == {("warehouse", None), ("van", sam.user.id)}
    assert seen_by_dispatcher == {None, sam.user.id, ana.user.id}


# Stock receipts -------------------------------------------------------------------------------


def test_a_delivery_adds_to_the_shelf(dispatcher_api, make_part):
    part = make_part()
    warehouse = warehouse_id(dispatcher_api)
    delivery = {"part_id": part["id"], "location_id": warehouse, "quantity": 12, "unit_cost": "11.80"}

    first = dispatcher_api.post("/stock/receipts", json={**delivery, "reference": "PO-5531"})
    dispatcher_api.post("/stock/receipts", json={**delivery, "quantity": 3})

    assert first.status_code == 201
    assert (first.json["kind"], first.json["quantity"], first.json["reference"]) == ("receipt", 12, "PO-5531")
    assert dispatcher_api.get("/stock", query_string={"part_id": part["id"], "location_id": warehouse}).json == [
        {"part_id": part["id"], "location_id": warehouse, "quantity": 15, "reorder_point": None, "target_quantity": None}
    ]


def test_a_delivery_into_a_van_stays_in_that_van(dispatcher_api, technician_api, make_part):
    part = make_part()
    van = van_id(dispatcher_api, technician_api.user.id)

    dispatcher_api.post("/stock/receipts", json={"part_id": part["id"], "location_id": van, "quantity": 4, "unit_cost": "11.80"})

    assert on_hand(technician_api, part["id"], van) == 4
    assert on_hand(technician_api, part["id"], warehouse_id(dispatcher_api)) == 0


def test_a_delivery_at_a_new_price_moves_the_average_cost(dispatcher_api, make_part):
    part = make_part(unit_cost="10.00")
    delivery = {"part_id": part["id"], "location_id": warehouse_id(dispatcher_api)}
    dispatcher_api.post("/stock/receipts", json={**delivery, "quantity": 10, "unit_cost": "10.00"})

    dispatcher_api.post("/stock/receipts", json={**delivery, "quantity": 30, "unit_cost": "14.00"})

    # (10 × 10.00 + 30 × 14.00) / 40 = 520.00 / 40 = 13.00
    assert dispatcher_api.get(f"/parts/{part['id']}").json["unit_cost"] == "13.00"


def test_the_average_cost_counts_stock_in_every_location_and_rounds_to_the_cent(dispatcher_api, technician_api, make_part):
    part = make_part(unit_cost="10.00")
    van = van_id(dispatcher_api, technician_api.user.id)
    dispatcher_api.post("/stock/receipts", json={"part_id": part["id"], "location_id": van, "quantity": 2, "unit_cost": "10.00"})

    dispatcher_api.post(
        "/stock/receipts",
        json={"part_id": part["id"], "location_id": warehouse_id(dispatcher_api), "quantity": 1, "unit_cost": "11.00"},
    )

    # (2 × 10.00 + 1 × 11.00) / 3 = 10.3333… → 10.33
    assert dispatcher_api.get(f"/parts/{part['id']}").json["unit_cost"] == "10.33"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"part_id": 999999}, "part_id"),
        ({"location_id": 999999}, "location_id"),
        ({"part_id": 2**31}, "part_id"),
        ({"location_id": 10**20}, "location_id"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": -5}, "quantity"),
        ({"quantity": 2.5}, "quantity"),
        ({"quantity": "5"}, "quantity"),
        ({"unit_cost": "-1.00"}, "unit_cost"),
        ({"unit_cost": "9.999"}, "unit_cost"),
        ({"part_id": None}, "part_id"),
        ({"carrier": "UPS"}, "carrier"),
    ],
)
def test_a_bad_delivery_is_refused_by_field_and_changes_nothing(app, dispatcher_api, make_part, change, field):
    part = make_part(stock=5, unit_cost="10.00")
    delivery = {"part_id": part["id"], "location_id": warehouse_id(dispatcher_api), "quantity": 5, "unit_cost": "20.00"}

    answer = dispatcher_api.post("/stock/receipts", json={**delivery, **change})

    assert answer.status_code == 422
    assert field in answer.json["errors"]
    assert on_hand(dispatcher_api, part["id"], warehouse_id(dispatcher_api)) == 5
    assert count(app, StockMovement) == 1
    assert dispatcher_api.get(f"/parts/{part['id']}").json["unit_cost"] == "10.00"


def test_a_technician_cannot_book_deliveries(app, technician_api, dispatcher_api, make_part):
    part = make_part()
    van = van_id(dispatcher_api, technician_api.user.id)

    answer = technician_api.post("/stock/receipts", json={"part_id": part["id"], "location_id": van, "quantity": 50, "unit_cost": "1.00"})

    assert answer.status_code == 403
    assert count(app, StockMovement) == 0
    assert count(app, StockLevel) == 0


# Stock levels ---------------------------------------------------------------------------------


def test_another_technicians_van_does_not_exist_for_a_technician(api_as, dispatcher_api, make_part):
    sam, ana = api_as("technician"), api_as("technician")
    part = make_part(stock=3, location_id=van_id(dispatcher_api, ana.user.id))

    answer = sam.get("/stock", query_string={"location_id": van_id(dispatcher_api, ana.user.id)})

    assert answer.status_code == 404
    assert sam.get("/stock", query_string={"location_id": 999999}).status_code == 404
    assert sam.get("/stock", query_string={"part_id": part["id"]}).json == []


def test_a_technician_sees_stock_in_the_warehouse_and_their_van_only(api_as, dispatcher_api, make_part):
    sam, ana = api_as("technician"), api_as("technician")
    warehouse = warehouse_id(dispatcher_api)
    sams_van, anas_van = van_id(dispatcher_api, sam.user.id), van_id(dispatcher_api, ana.user.id)
    part = make_part(stock=10, location_id=warehouse)
    for van, quantity in ((sams_van, 2), (anas_van, 7)):
        delivery = {"part_id": part["id"], "location_id": van, "quantity": quantity, "unit_cost": "11.80"}
        assert dispatcher_api.post("/stock/receipts", json=delivery).status_code == 201

    seen_by_sam = {(level["location_id"], level["quantity"]) for level in sam.get("/stock").json}
    seen_by_dispatcher = {(level["location_id"], level["quantity"]) for level in dispatcher_api.get("/stock").json}

    assert seen_by_sam == {(warehouse, 10), (sams_van, 2)}
    assert seen_by_dispatcher == {(warehouse, 10), (sams_van, 2), (anas_van, 7)}


def test_stock_levels_filter_by_part(dispatcher_api, make_part):
    make_part(stock=4)
    motor = make_part(stock=1)

    answer = dispatcher_api.get("/stock", query_string={"part_id": motor["id"]})

    assert [(level["part_id"], level["quantity"]) for level in answer.json] == [(motor["id"], 1)]


@pytest.mark.parametrize("location_id", ["van", 2**31])
def test_a_malformed_stock_filter_is_422(dispatcher_api, location_id):
    answer = dispatcher_api.get("/stock", query_string={"location_id": location_id})

    assert answer.status_code == 422
    assert "location_id" in answer.json["errors"]
