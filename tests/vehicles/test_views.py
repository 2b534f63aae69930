"""The vehicles page: the office adds and retires vehicles and reads the month's miles."""
from datetime import UTC, datetime

from tests.conftest import csrf_token


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
