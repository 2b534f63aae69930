"""The stock pages: levels, receipts, transfers, restocking, counts, reports and editing a part."""
from tests.conftest import csrf_token, van_id, warehouse_id


def on_hand(api, part_id: int, location_id: int) -> int:
    return sum(level["quantity"] for level in api.get("/stock", query_string={"part_id": part_id, "location_id": location_id}).json)


def test_the_office_edits_a_parts_category_and_reorder_point(browser_as, dispatcher_api, make_part):
    part = make_part(sku="FLT-1620")
    office = browser_as("dispatcher")
    form = office.get(f"/parts/{part['id']}/edit")

    saved = office.post(f"/parts/{part['id']}/edit", data={
        "csrf_token": csrf_token(form), "name": "Air filter", "unit": "box", "category": "Filters", "unit_price": "18.00",
        "reorder_point": "5", "reorder_quantity": "24", "is_taxable": "on", "is_active": "on",
    }, follow_redirects=True)
    bad = office.post(f"/parts/{part['id']}/edit", data={"csrf_token": csrf_token(form), "name": "Air filter", "unit": "box",
                                                          "unit_price": "18.00", "reorder_point": "2.5", "is_active": "on"})

    assert "Part FLT-1620 saved." in saved.get_data(as_text=True)
    assert "Filters" in office.get("/parts/?category=Filters").get_data(as_text=True)
    assert bad.status_code == 422 and 'id="reorder_point-error"' in bad.get_data(as_text=True)
    stored = dispatcher_api.get(f"/parts/{part['id']}").json
    assert (stored["category"], stored["unit"], stored["reorder_point"], stored["reorder_quantity"]) == ("Filters", "box", 5, 24)


def test_receiving_and_transferring_through_the_forms(browser_as, dispatcher_api, technician_api, make_part):
    part = make_part(sku="CAP-455")
    warehouse, van = warehouse_id(dispatcher_api), van_id(dispatcher_api, technician_api.user.id)
    office = browser_as("dispatcher")
    token = csrf_token(office.get("/stock/receipts/new"))

    received = office.post("/stock/receipts/new", data={"csrf_token": token, "part_id": str(part["id"]), "location_id": str(warehouse),
                                                        "quantity": "12", "unit_cost": "11.80", "reference": "ACME-7781"}, follow_redirects=True)
    too_many = office.post("/stock/transfers/new", data={"csrf_token": token, "part_id": str(part["id"]), "from_location_id": str(warehouse),
                                                         "to_location_id": str(van), "quantity": "20"})
    fractional = office.post("/stock/transfers/new", data={"csrf_token": token, "part_id": str(part["id"]), "from_location_id": str(warehouse),
                                                           "to_location_id": str(van), "quantity": "1.5"})
    moved = office.post("/stock/transfers/new", data={"csrf_token": token, "part_id": str(part["id"]), "from_location_id": str(warehouse),
                                                      "to_location_id": str(van), "quantity": "5"}, follow_redirects=True)

    assert "Received 12 each of CAP-455 into Main warehouse." in received.get_data(as_text=True)
    assert too_many.status_code == 409 and "12 there, 20 to move" in too_many.get_data(as_text=True)
    assert fractional.status_code == 422 and 'id="quantity-error"' in fractional.get_data(as_text=True)
    assert "Moved 5 each of CAP-455 from Main warehouse to Van" in moved.get_data(as_text=True)
    assert (on_hand(dispatcher_api, part["id"], warehouse), on_hand(dispatcher_api, part["id"], van)) == (7, 5)


def test_a_technician_counts_their_van_on_the_count_page(browser_as, dispatcher_api, technician_api, make_part):
    van = van_id(dispatcher_api, technician_api.user.id)
    fuse, relay = make_part(stock=5, location_id=van, sku="FUSE-5"), make_part(stock=2, location_id=van, sku="RLY-24")
    phone = browser_as(technician_api.user)
    page = phone.get(f"/stock/count/{van}")
    assert "FUSE-5" in page.get_data(as_text=True)

    wrong = phone.post(f"/stock/count/{van}", data={"csrf_token": csrf_token(page), f"counted_{fuse['id']}": "4.5", "reason": "Count"})
    posted = phone.post(f"/stock/count/{van}", data={"csrf_token": csrf_token(page), f"counted_{fuse['id']}": "4",
                                                     f"counted_{relay['id']}": "", "reason": "Friday count"}, follow_redirects=True)

    assert wrong.status_code == 422 and f'id="counted_{fuse["id"]}-error"' in wrong.get_data(as_text=True)
    assert "Count posted for Van" in posted.get_data(as_text=True) and "1 adjustment." in posted.get_data(as_text=True)
    assert (on_hand(dispatcher_api, fuse["id"], van), on_hand(dispatcher_api, relay["id"], van)) == (4, 2)
    assert phone.get(f"/stock/count/{warehouse_id(dispatcher_api)}").status_code == 403  # the office counts the warehouse
    assert phone.post(f"/stock/count/{warehouse_id(dispatcher_api)}", data={"csrf_token": csrf_token(page), "reason": "x"}).status_code == 403


def test_another_technicians_van_is_not_found(browser_as, api_as, dispatcher_api):
    others = van_id(dispatcher_api, api_as("technician").user.id)
    phone = browser_as("technician")
    assert phone.get(f"/stock/count/{others}").status_code == 404
    assert phone.get(f"/stock/?location_id={others}").status_code == 404


def test_the_restock_page_sends_a_van_what_it_needs(browser_as, dispatcher_api, technician_api, make_part):
    van = van_id(dispatcher_api, technician_api.user.id)
    part = make_part(stock=10, sku="IGN-HSI")
    dispatcher_api.post("/stock/targets", json={"part_id": part["id"], "location_id": van, "target_quantity": 3})
    office = browser_as("dispatcher")
    page = office.get("/stock/restock")
    assert f'data-van="{van}"' in page.get_data(as_text=True)

    done = office.post(f"/stock/restock/{van}", data={"csrf_token": csrf_token(page)}, follow_redirects=True)

    assert "restocked: 1 part moved from Main warehouse" in done.get_data(as_text=True)
    assert on_hand(dispatcher_api, part["id"], van) == 3
    assert "Every van is at its target levels." in done.get_data(as_text=True)


def test_the_reports_page_values_stock_and_lists_a_parts_movements(browser_as, make_part):
    part = make_part(stock=4, unit_cost="11.80", sku="CAP-455")
    office = browser_as("owner")

    page = office.get(f"/stock/reports?part_id={part['id']}&from=2020-01-01&to=2099-12-31").get_data(as_text=True)
    download = office.get("/stock/reports/valuation.csv")
    history = office.get(f"/stock/reports/movements.csv?part_id={part['id']}&from=2020-01-01&to=2099-12-31")

    assert "47.20" in page and "On hand before: <strong>0</strong>; after: <strong>4</strong>" in page
    assert "Main warehouse,CAP-455" in download.get_data(as_text=True)
    assert history.content_type.startswith("text/csv") and ",receipt,4," in history.get_data(as_text=True)
    assert browser_as("technician").get("/stock/reports").status_code == 403
