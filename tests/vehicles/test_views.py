"""The vehicles page: the office adds and retires vehicles and reads the month's miles."""
from datetime import UTC, datetime

from tests.conftest import csrf_token
from tests.workorders.test_views import count_rows, filing_form


def test_the_office_adds_a_vehicle_and_reads_its_miles(shop, browser_as):
    browser = browser_as(shop.dispatcher.user)
    form = {"name": "Van 3", "registration": "NH-4421", "csrf_token": csrf_token(browser.get("/vehicles/"))}
    page = browser.post("/vehicles/", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Van 3 added." in page and "NH-4421" in page
    (van,) = shop.dispatcher.get("/vehicles").json
    shop.technician.post("/work-orders", json=shop.work_order(mileage=[{"miles": "12.5", "vehicle_id": van["id"]}]))
    page = browser.get(f"/vehicles/?month={datetime.now(UTC):%Y-%m}").get_data(as_text=True)
    assert "12.5" in page and shop.technician.user.name in page and "8.75" in page  # 12.5 mi × 0.70 billed
    again = browser.post("/vehicles/", data=form)
    assert again.status_code == 422 and "A vehicle has this name already." in again.get_data(as_text=True)
    retired = browser.post(f"/vehicles/{van['id']}/retire", data={"csrf_token": form["csrf_token"]}, follow_redirects=True)
    assert "Van 3 retired" in retired.get_data(as_text=True)


def test_technicians_do_not_manage_vehicles(shop, browser_as):
    assert browser_as(shop.technician.user).get("/vehicles/").status_code == 403


def test_the_filing_form_offers_the_vehicles_in_use_and_picks_the_one_driven_last(app, shop, browser_as):
    van = shop.dispatcher.post("/vehicles", json={"name": "Van 3", "registration": "NH-4421"}).json
    truck = shop.dispatcher.post("/vehicles", json={"name": "Truck 1"}).json
    old = shop.dispatcher.post("/vehicles", json={"name": "Old van"}).json
    shop.dispatcher.post(f"/vehicles/{old['id']}/retire")
    technician = browser_as(shop.technician.user)
    page = technician.get("/work-orders/new").get_data(as_text=True)
    assert "Van 3 · NH-4421" in page and "Truck 1" in page and "Old van" not in page
    assert "selected>" not in page.split('id="vehicle_id"')[1].split("</select>")[0]  # nothing driven yet: no guess

    answer = technician.post("/work-orders/new", data=filing_form(shop, technician, vehicle_id=str(truck["id"])))
    assert answer.status_code == 302
    report = shop.dispatcher.get(f"/reports/mileage?month={datetime.now(UTC):%Y-%m}").json
    assert [(row["name"], row["miles"]) for row in report["by_vehicle"]] == [("Truck 1", "18.4")]
    page = technician.get("/work-orders/new").get_data(as_text=True)
    assert f'<option value="{truck["id"]}" selected>Truck 1</option>' in page
    assert f'<option value="{van["id"]}" >' in page

    # A vehicle retired while the form was open: refused on its field, nothing filed.
    shop.dispatcher.post(f"/vehicles/{truck['id']}/retire")
    before = count_rows(app)
    answer = technician.post("/work-orders/new", data=filing_form(shop, technician, vehicle_id=str(truck["id"])))
    assert answer.status_code == 422 and 'id="mileage_0_vehicle_id-error"' in answer.get_data(as_text=True)
    assert count_rows(app) == before
