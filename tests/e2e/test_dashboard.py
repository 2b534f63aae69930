"""The owner's dashboard in a real browser: the month's figures, the charts, and a figure leading to its invoices."""
from playwright.sync_api import expect

from tests.e2e.test_web_basics import log_in
from tests.reports.test_api import THIS_MONTH


def test_the_owner_reads_the_month_and_follows_revenue_to_its_invoices(page, shop, tmp_path):
    filed = shop.technician.post("/work-orders", json=shop.work_order(follow_up=None)).json
    invoice_number = shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json["number"]
    log_in(page, shop.owner.user)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="The business this month")).to_be_visible()
    expect(page).to_have_title("Dashboard · Dispatch")

    revenue = page.locator("tr.figure-revenue td").first
    expect(revenue).to_have_text("515.88")
    expect(page.locator("tr.figure-net_profit td").first).not_to_have_text("0.00")
    expect(page.get_by_role("img", name="Net profit by month").locator("rect")).to_have_count(12)
    expect(page.get_by_role("row").filter(has_text="Harbor View Dental").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    revenue.get_by_role("link").click()
    expect(page).to_have_url(f"{page.url.split('/invoices')[0]}/invoices/?issued={THIS_MONTH}")
    expect(page.get_by_role("row").filter(has_text=invoice_number)).to_be_visible()
