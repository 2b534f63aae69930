"""Input the database could not store is refused as input, by field: never a 500."""


def test_text_with_a_nul_character_is_refused_by_field(dispatcher_api):
    answer = dispatcher_api.post("/customers", json={"name": "Harbor\x00View", "email": "office@example.test"})
    assert answer.status_code == 422
    assert answer.json["errors"] == {"name": ["Contains a NUL character."]}
    assert dispatcher_api.get("/customers").json == []


def test_an_id_larger_than_any_row_is_refused_in_a_body(dispatcher_api):
    answer = dispatcher_api.post(
        "/stock/receipts", json={"part_id": 2**31, "location_id": 1, "quantity": 1, "unit_cost": "1.00"}
    )
    assert answer.status_code == 422
    assert "part_id" in answer.json["errors"]


def test_an_id_larger_than_any_row_in_a_url_is_not_found(dispatcher_api):
    assert dispatcher_api.get(f"/customers/{2**31}").status_code == 404
    assert dispatcher_api.get(f"/parts/{2**63}").status_code == 404


def test_amounts_larger_than_the_column_are_refused(dispatcher_api):
    answer = dispatcher_api.post("/parts", json={"sku": "X", "name": "X", "unit_price": "10000000000.00", "unit_cost": "1.00"})
    assert answer.status_code == 422
    assert "unit_price" in answer.json["errors"]


def test_an_unknown_filter_is_refused_not_ignored(owner_api):
    answer = owner_api.get("/pay-accruals?technician=5")
    assert answer.status_code == 422
    assert "technician" in answer.json["errors"]
