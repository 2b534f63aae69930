"""A technician files a work order from a phone, in a real browser."""
import re
from datetime import UTC, datetime, time, timedelta

from playwright.sync_api import expect

from tests.e2e.test_web_basics import assert_fits_a_phone, log_in

YEAR = datetime.now(UTC).year


def test_a_technician_files_a_work_order_from_a_phone(phone, shop):
    script_errors = []
    phone.on("pageerror", lambda error: script_errors.append(error))
    log_in(phone, shop.technician.user)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="File work order").click()
    expect(phone.get_by_role("heading", name="File work order")).to_be_visible()
    assert_fits_a_phone(phone)

    phone.get_by_label("Customer").select_option(label="Harbor View Dental")
    phone.get_by_label("Summary").fill("Replaced condenser fan motor")
    minutes = phone.get_by_label("Minutes", exact=True).first
    phone.get_by_role("button", name="Start timer").click()
    stop = phone.get_by_role("button", name=re.compile(r"^Stop \d+:\d\d$"))
    expect(stop).to_have_text(re.compile(r"Stop 0:0[1-9]"))
    stop.click()
    expect(minutes).to_have_value("1")  # a started job counts at least a minute
    phone.get_by_role("button", name="Add labour").click()
    phone.get_by_label("Kind").nth(1).select_option(label="Travel time")
    phone.get_by_label("Minutes", exact=True).nth(1).fill("30")
    phone.get_by_label("Part").select_option(label="FAN-MTR-5 Condenser fan motor · 3 in van")
    phone.get_by_label("Quantity").fill("2")
    phone.get_by_label("Miles driven").fill("18.4")
    phone.get_by_label("In how many days").fill("14")
    phone.get_by_label("How long (minutes)").fill("60")
    phone.get_by_label("Notes for the visit").fill("Check refrigerant pressure")
    phone.get_by_label("PO number").fill("PO-5531")
    assert_fits_a_phone(phone)
    phone.get_by_role("button", name="File work order").click()

    expect(phone.get_by_role("heading", name=f"Work order WO-{YEAR}-000001")).to_be_visible()
    facts = phone.locator("dl.facts")
    expect(facts).to_contain_text(f"INV-{YEAR}-000001")
    # 1 min on site 0.02 h × 125.00 = 2.50, travel 32.50, 2 motors 378.00, mileage 12.88; tax 8.25 % of 378.00 = 31.19
    expect(facts).to_contain_text("457.07")
    assert_fits_a_phone(phone)
    assert shop.stock(shop.fan_motor, shop.van_id) == 1
    assert script_errors == []


def test_without_javascript_minutes_are_typed_and_rows_added_by_the_server(new_page, shop):
    phone = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, java_script_enabled=False)
    log_in(phone, shop.technician.user)
    phone.goto("/work-orders/new")
    expect(phone.get_by_role("button", name="Start timer")).to_have_count(0)

    phone.get_by_label("Customer").select_option(label="Harbor View Dental")
    phone.get_by_label("Summary").fill("Replaced condenser fan motor")
    phone.get_by_label("Minutes", exact=True).fill("45")
    phone.get_by_label("Part", exact=True).select_option(label="FAN-MTR-5 Condenser fan motor · 3 in van")
    phone.get_by_label("Quantity").fill("1")
    phone.get_by_role("button", name="Add another part").click()
    expect(phone.get_by_label("Part", exact=True)).to_have_count(2)
    expect(phone.get_by_label("Minutes", exact=True)).to_have_value("45")
    expect(phone.get_by_label("Quantity").first).to_have_value("1")
    assert_fits_a_phone(phone)
    phone.get_by_role("button", name="File work order").click()

    expect(phone.get_by_role("heading", name=f"Work order WO-{YEAR}-000001")).to_be_visible()
    # 45 min on site 0.75 h × 125.00 = 93.75 + motor 189.00 + tax 8.25 % of 189.00 = 15.59
    expect(phone.locator("dl.facts")).to_contain_text("298.34")


def test_picking_an_appointment_picks_its_customer(phone, shop):
    starts_at = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), time(14), UTC)
    visit = shop.dispatcher.post("/appointments", json={
        "customer_id": shop.customer["id"], "technician_id": shop.technician.user.id,
        "starts_at": starts_at.isoformat(), "ends_at": (starts_at + timedelta(hours=1)).isoformat(),
    }).json
    log_in(phone, shop.technician.user)
    phone.goto("/work-orders/new")

    phone.get_by_label("Appointment").select_option(str(visit["id"]))

    expect(phone.get_by_label("Customer")).to_have_value(str(shop.customer["id"]))


def test_miles_filed_on_a_company_vehicle_count_in_the_months_report(phone, new_page, shop):
    van = shop.dispatcher.post("/vehicles", json={"name": "Van 3", "registration": "NH-4421"}).json
    shop.dispatcher.post("/vehicles", json={"name": "Truck 1"})
    log_in(phone, shop.technician.user)
    phone.goto("/work-orders/new")
    expect(phone.get_by_label("Vehicle")).to_have_value("")  # never driven one: no guess
    phone.get_by_label("Customer").select_option(label="Harbor View Dental")
    phone.get_by_label("Summary").fill("Checked the condenser")
    phone.get_by_label("Minutes", exact=True).first.fill("30")
    phone.get_by_label("Miles driven").fill("18.4")
    phone.get_by_label("Vehicle").select_option(label="Van 3 · NH-4421")
    assert_fits_a_phone(phone)
    phone.get_by_role("button", name="File work order").click()
    expect(phone.get_by_role("heading", name=f"Work order WO-{YEAR}-000001")).to_be_visible()

    office = new_page()
    log_in(office, shop.dispatcher.user)
    office.goto("/vehicles/")
    per_vehicle = office.get_by_role("table", name="Miles per vehicle")
    expect(per_vehicle.get_by_role("row", name="Van 3 18.4")).to_be_visible()
    expect(office.get_by_role("table", name="Miles per technician")).to_contain_text(shop.technician.user.name)

    # The next work order starts with the vehicle driven last.
    phone.goto("/work-orders/new")
    expect(phone.get_by_label("Vehicle")).to_have_value(str(van["id"]))
