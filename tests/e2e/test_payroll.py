"""Pay in a real browser: the owner runs payroll; the technician reads their pay and statement on a phone."""
from datetime import date

from playwright.sync_api import expect

from tests.e2e.test_web_basics import assert_fits_a_phone, log_in
from tests.payroll.test_runs_api import move_pay


def test_the_owner_runs_payroll_and_the_technician_reads_it_on_a_phone(app, page, phone, shop, make_user):
    earlier = shop.technician.post("/work-orders", json=shop.work_order()).json
    move_pay(app, earlier["id"], date(2026, 3, 3))  # 66.56, in the period 2026-03-02 to 03-15
    today = shop.technician.post("/work-orders", json=shop.work_order(labor=[{"kind": "onsite", "minutes": 90}], parts=[], mileage=[], follow_up=None)).json

    log_in(page, make_user("owner"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Payroll").click()
    expect(page.get_by_role("heading", name="Payroll", exact=True)).to_be_visible()
    page.get_by_label("Period starting").fill("2026-03-02")
    page.get_by_role("button", name="Run payroll").click()
    expect(page.get_by_role("status")).to_have_text("Payroll run for 2026-03-02 to 2026-03-15: 1 statements.")
    expect(page.get_by_role("link", name="CSV file")).to_be_visible()

    log_in(phone, shop.technician.user)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="My pay").click()
    expect(phone.get_by_role("heading", name=f"Pay: {shop.technician.user.name}")).to_be_visible()
    # Not paid yet: today's job, 1.5 h × 32.00.
    expect(phone.get_by_text(today["number"])).to_be_visible()
    expect(phone.get_by_text("Total not paid yet: 48.00")).to_be_visible()
    statements = phone.locator("table").nth(1)
    expect(statements).to_contain_text("2026-03-02 to 2026-03-15")
    expect(statements).to_contain_text("66.56")
    assert_fits_a_phone(phone)
    with phone.expect_response(lambda response: response.url.endswith(".pdf")) as statement:
        phone.evaluate("url => fetch(url)", phone.get_by_role("link", name="PDF").get_attribute("href"))
    assert statement.value.status == 200 and statement.value.headers["content-type"] == "application/pdf"
