"""The client file in a real browser: log a contact with an action step, add a confidential report, close the file
(refused while a balance is owed), and reopen it."""
from playwright.sync_api import expect

from tests.e2e.test_web_basics import log_in


def test_the_dispatcher_works_a_client_file_from_first_call_to_closure(page, shop, tmp_path):
    filed = shop.technician.post("/work-orders", json=shop.work_order(parts=[], mileage=[], follow_up=None)).json
    log_in(page, shop.dispatcher.user)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="Harbor View Dental").click()
    expect(page.get_by_role("heading", name="Harbor View Dental")).to_be_visible()
    expect(page.get_by_test_id("balance")).to_have_text("230.00")
    expect(page.get_by_role("link", name=filed["invoice"]["number"])).to_be_visible()

    contacts = page.locator("#contacts")
    contacts.get_by_label("How").select_option("phone")
    contacts.get_by_label("Who took part").fill("Dr. Alvarez")
    contacts.get_by_label("Minutes spent").fill("20")
    contacts.get_by_label("Hourly rate").fill("90.00")
    contacts.get_by_label("Who pays").select_option("no_charge")
    contacts.get_by_label("Notes").fill("Asked about the invoice.")
    contacts.get_by_label("Step", exact=True).select_option("return_call")
    contacts.get_by_label("Due on").fill("2026-12-01")
    contacts.get_by_label("Responsible").select_option(label=shop.dispatcher.user.name)
    contacts.get_by_role("button", name="Log contact").click()
    expect(page.get_by_role("status")).to_have_text("Phone call of 20 min logged.")
    expect(page.locator("#contacts")).to_contain_text("Asked about the invoice.")

    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4\n% engineer's report\n")
    documents = page.locator("#documents")
    documents.get_by_label("Title").fill("Engineer's report")
    documents.get_by_label("Received from").fill("Coastal Engineering")
    documents.get_by_role("checkbox", name="Confidential report").check()
    documents.get_by_label("File (PDF").set_input_files(str(report))
    documents.get_by_role("button", name="Add document").click()
    expect(page.get_by_role("status")).to_have_text("“Engineer's report” added to the confidential section.")
    expect(page.get_by_role("list", name="Confidential reports")).to_contain_text("Engineer's report from Coastal Engineering")

    closure = page.locator("#closure")
    closure.get_by_label("Reason for closing").fill("Work complete")
    closure.get_by_label("Closing signature").fill("Dana Dispatcher")
    closure.get_by_role("button", name="Close file").click()
    expect(page.get_by_role("alert")).to_have_text("Harbor View Dental still owes 230.00: the file closes when the balance is zero.")

    shop.dispatcher.post(f"/invoices/{filed['invoice']['id']}/payments", json={"amount": "230.00", "method": "card"})
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My action steps").click()
    page.get_by_role("button", name="Done: Return call for Harbor View Dental").click()
    expect(page.get_by_text("Nothing on your list.")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="Harbor View Dental").click()
    expect(page.get_by_test_id("balance")).to_have_text("0.00")
    closure = page.locator("#closure")
    closure.get_by_label("Reason for closing").fill("Work complete")
    closure.get_by_label("Referral source").fill("Dr. Patel")
    closure.get_by_label("Closing signature").fill("Dana Dispatcher")
    closure.get_by_role("button", name="Close file").click()
    expect(page.get_by_role("status")).to_have_text("File closed after 1 visit(s). The customer is inactive until the file is reopened.")
    summary = page.get_by_label("Closure summary")
    expect(summary).to_contain_text("Work complete")
    expect(summary).to_contain_text("Dr. Patel")
    expect(summary).to_contain_text("Dana Dispatcher")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    expect(page.get_by_role("link", name="Harbor View Dental")).to_have_count(0)
    page.get_by_role("link", name="Closed files").click()
    page.get_by_role("link", name="Harbor View Dental").click()
    page.locator("#closure").get_by_label("Why reopen it").fill("New boiler job")
    page.get_by_role("button", name="Reopen file").click()
    expect(page.get_by_role("status")).to_have_text("Harbor View Dental's file is open again.")
    expect(page.get_by_text("Open file", exact=True)).to_be_visible()
