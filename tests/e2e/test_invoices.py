"""Getting paid in a real browser: the dispatcher records a payment, the customer opens their link."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dispatch.extensions import db
from dispatch.invoicing.models import Dispute, Invoice
from tests.e2e.test_web_basics import assert_fits_a_phone, log_in


@pytest.fixture
def invoice(shop, jobs_done) -> dict:
    """The API.md example job's invoice: total 538.40, emailed to the customer with their link."""
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    jobs_done()
    return shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json


def stored(app, invoice: dict) -> Invoice:
    with app.app_context():
        found = db.session.get(Invoice, invoice["id"])
        db.session.expunge(found)
        return found


def test_a_dispatcher_records_a_partial_payment_from_a_phone(app, phone, shop, invoice):
    log_in(phone, shop.dispatcher.user)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Invoices").click()
    expect(phone.get_by_role("heading", name="Invoices")).to_be_visible()
    row = phone.get_by_role("row").filter(has_text=invoice["number"])
    expect(row).to_contain_text("Harbor View Dental")
    expect(row).to_contain_text("Emailed")
    assert_fits_a_phone(phone)

    row.get_by_role("link", name=invoice["number"]).click()
    expect(phone.get_by_role("heading", name=f"Invoice {invoice['number']}")).to_be_visible()
    assert_fits_a_phone(phone)
    phone.get_by_label("Amount received").fill("200.00")
    phone.get_by_label("Method").select_option(label="Check")
    phone.get_by_label("Reference").fill("Check 1042")
    phone.get_by_role("button", name="Record payment").click()

    expect(phone.get_by_role("status")).to_have_text("Payment of 200.00 recorded. Balance due: 338.40.")
    expect(phone.locator(".invoice-heading [data-status]")).to_have_attribute("data-status", "partially_paid")
    expect(phone.locator(".invoice-heading [data-status]")).to_have_text("Partially paid")
    expect(phone.locator("tr.balance")).to_have_text(re.compile(r"Balance due\s*338\.40"))
    expect(phone.locator("#payment .timeline")).to_contain_text("Check 1042")
    assert_fits_a_phone(phone)
    paid = stored(app, invoice)
    assert (paid.status, str(paid.balance_due)) == ("partially_paid", "338.40")


def test_a_customer_questions_the_invoice_from_a_phone(app, phone, invoice):
    with app.app_context():  # the token is signed with the app's SECRET_KEY
        token = db.session.get(Invoice, invoice["id"]).view_token

    phone.goto(f"/i/{token}")

    expect(phone.get_by_role("heading", name=f"Invoice {invoice['number']}")).to_be_visible()
    expect(phone.locator(".balance-due")).to_contain_text("538.40")
    download = phone.get_by_role("link", name="Download PDF")
    expect(download).to_have_attribute("href", f"/i/{token}/pdf")
    expect(phone.get_by_role("navigation")).to_have_count(0)
    assert_fits_a_phone(phone)

    phone.get_by_label("What is wrong with it?").fill("The fan motor was replaced under warranty in May.")
    phone.get_by_role("button", name="Send my question").click()

    expect(phone.get_by_role("status")).to_contain_text("We have your question")
    expect(phone.get_by_role("heading", name="Your question")).to_be_visible()
    expect(phone.get_by_role("button", name="Send my question")).to_have_count(0)
    assert_fits_a_phone(phone)
    with app.app_context():
        [dispute] = db.session.scalars(select(Dispute)).all()
        assert (dispute.opened_by_id, dispute.reason) == (None, "The fan motor was replaced under warranty in May.")
    assert stored(app, invoice).status == "disputed"
