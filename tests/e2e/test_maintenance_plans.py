"""The dispatcher adds a maintenance plan on the office page, in a real browser, and its visits are booked."""
from datetime import timedelta

from playwright.sync_api import expect

from dispatch.core.time import company_today
from tests.e2e.test_web_basics import log_in


def test_a_dispatcher_adds_a_quarterly_plan(app, page, shop):
    with app.app_context():
        first_visit = company_today() + timedelta(days=3)
    log_in(page, shop.dispatcher.user)
    page.goto("/maintenance-plans/")
    expect(page.get_by_role("heading", name="Maintenance plans")).to_be_visible()
    page.get_by_label("Customer").select_option(label="Harbor View Dental")
    page.get_by_label("Technician", exact=True).select_option(label=shop.technician.user.name)
    page.get_by_label("Every", exact=True).fill("3")
    page.get_by_label("Months or weeks").select_option("months")
    page.get_by_label("First visit on").fill(first_visit.isoformat())
    page.get_by_label("At (company time)").fill("10:30")
    page.get_by_label("Minutes", exact=True).fill("90")
    page.get_by_role("button", name="Add plan").click()

    expect(page.get_by_role("status")).to_contain_text("Maintenance plan for Harbor View Dental added")
    row = page.get_by_role("row").filter(has_text="Harbor View Dental")
    expect(row).to_contain_text("FREQ=MONTHLY;INTERVAL=3")
    expect(row).to_contain_text("10:30, 90 min")
    [visit] = [booked for booked in shop.dispatcher.get("/appointments").json if booked["kind"] == "maintenance"]
    assert visit["starts_at"].startswith(first_visit.isoformat())

    row.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("status")).to_contain_text("stopped")
    expect(page.get_by_role("row").filter(has_text="Harbor View Dental")).to_contain_text("stopped")
