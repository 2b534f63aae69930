"""The technician's day on a 360 px phone: on my way, start, finish into the work-order form."""
from datetime import UTC, datetime, time, timedelta

from playwright.sync_api import expect

from dispatch.extensions import db
from dispatch.scheduling.models import Appointment
from tests.e2e.test_web_basics import assert_fits_a_phone, log_in


def status_of(app, appointment_id: int) -> str:
    with app.app_context():
        return db.session.get(Appointment, appointment_id).status


def test_a_technician_goes_on_their_way_starts_and_finishes_into_the_work_order_form(app, phone, shop, make_customer, tmp_path):
    script_errors = []
    phone.on("pageerror", lambda error: script_errors.append(error))
    today = datetime.now(UTC).date()

    def book(customer_id, hour, **details):
        starts_at = datetime.combine(today, time(hour), UTC)
        body = {"customer_id": customer_id, "technician_id": shop.technician.user.id, "starts_at": starts_at.isoformat(),
                "ends_at": (starts_at + timedelta(hours=1)).isoformat(), "override": True, **details}
        answer = shop.dispatcher.post("/appointments", json=body)
        assert answer.status_code == 201, answer.json
        return answer.json["id"]

    school = make_customer(name="Seaside Elementary School District Facilities Office", phone="+1 555 0199",
                           address="1400 Lafayette Road, Building C, Portsmouth NH 03801")["id"]
    first = book(shop.customer["id"], 8, notes="Side door; the receptionist has the key to the plant room.")
    second = book(school, 13)

    log_in(phone, shop.technician.user)

    expect(phone.get_by_role("heading", name="Today,")).to_be_visible()  # their home after logging in
    visits = phone.locator("article")
    expect(visits).to_have_count(2)
    expect(visits.first).to_contain_text("08:00–09:00 Harbor View Dental")
    expect(visits.nth(1)).to_contain_text("13:00–14:00 Seaside Elementary School")
    expect(visits.nth(1).get_by_role("link", name="1400 Lafayette Road")).to_have_attribute("href", "https://www.google.com/maps/search/?api=1&query=1400%20Lafayette%20Road%2C%20Building%20C%2C%20Portsmouth%20NH%2003801")
    expect(visits.nth(1).get_by_role("link", name="+1 555 0199")).to_have_attribute("href", "tel:+15550199")
    expect(visits.first).to_contain_text("the receptionist has the key")
    assert_fits_a_phone(phone)
    phone.screenshot(path=tmp_path / "today.png", full_page=True)

    visits.first.get_by_role("button", name="On my way").click()
    expect(phone.get_by_role("status")).to_have_text("On your way to Harbor View Dental.")
    expect(phone.locator("article").first.locator("[data-status]")).to_have_text("En route")
    assert status_of(app, first) == "en_route"

    phone.locator("article").first.get_by_role("button", name="Start").click()
    expect(phone.locator("article").first.locator("[data-status]")).to_have_text("In progress")
    assert status_of(app, first) == "in_progress"
    assert status_of(app, second) == "scheduled"
    assert_fits_a_phone(phone)

    phone.locator("article").first.get_by_role("link", name="Finish").click()

    expect(phone.get_by_role("heading", name="File work order")).to_be_visible()
    expect(phone.get_by_label("Appointment")).to_have_value(str(first))
    expect(phone.get_by_label("Customer")).to_have_value(str(shop.customer["id"]))
    assert_fits_a_phone(phone)
    assert script_errors == []
