"""A customer answers an estimate from the link in the email, on a phone, in a real browser."""
from datetime import datetime

from playwright.sync_api import expect

from dispatch.core.time import company_today
from dispatch.workorders.views import company_time
from tests.e2e.test_web_basics import assert_fits_a_phone
from tests.estimates.conftest import estimate_body


def test_the_customer_accepts_on_a_phone_and_sees_the_booked_visit(app, phone, shop):
    with app.app_context():
        today = company_today()
    long_line = {"description": "Condenser coil deep clean, both units, including fin straightening and a leak check",
                 "quantity": "1", "unit_price": "1450.00"}
    body = estimate_body(shop, today)
    estimate = shop.dispatcher.post("/estimates", json={**body, "lines": [*body["lines"], long_line]}).json

    phone.goto(f"/e/{estimate['token']}")
    expect(phone.get_by_role("heading", name=f"Estimate {estimate['number']}")).to_be_visible()
    # 632.68 + 1,450.00 = 2,082.68; tax 8.25 % of the taxable 1,770.18 = 146.04
    expect(phone.locator("table.totals")).to_contain_text("2,228.72")
    expect(phone.get_by_role("link", name="Download PDF")).to_be_visible()
    assert_fits_a_phone(phone)

    phone.get_by_role("button", name="Accept estimate").click()

    expect(phone.get_by_role("status")).to_have_text("Thank you: the estimate is accepted and your visit is booked.")
    accepted = shop.dispatcher.get(f"/estimates/{estimate['id']}").json
    assert accepted["status"] == "accepted"
    visit = next(booked for booked in shop.dispatcher.get("/appointments").json if booked["id"] == accepted["appointment_id"])
    with app.app_context():
        booked_time = company_time(datetime.fromisoformat(visit["starts_at"]))
    expect(phone.locator("#answer")).to_contain_text(booked_time)
    expect(phone.get_by_role("button", name="Accept estimate")).to_have_count(0)
    assert_fits_a_phone(phone)
