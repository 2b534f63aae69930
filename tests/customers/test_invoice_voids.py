"""Voiding by hand an invoice that sold a support block, billed a milestone or billed contacts undoes them."""
import pytest

from tests.conftest import csrf_token
from tests.customers.test_contacts import contact
from tests.customers.test_support_blocks import remote_job, sell


def void(api, invoice_id, reason="Issued by mistake"):
    return api.post(f"/invoices/{invoice_id}/void", json={"reason": reason})


def void_on_the_page(browser, invoice_id, reason="Issued by mistake"):
    token = csrf_token(browser.get(f"/invoices/{invoice_id}"))
    return browser.post(f"/invoices/{invoice_id}/void", data={"reason": reason, "csrf_token": token})


@pytest.fixture
def office(shop, browser_as):
    return browser_as(shop.dispatcher.user)


@pytest.fixture
def plan(shop):
    body = {"title": "Boiler room refit", "agreed_price": "1000.00",
            "milestones": [{"name": "Deposit", "percent": "40", "po_number": "PO-1"}, {"name": "Handover", "percent": "60"}]}
    answer = shop.dispatcher.post(f"/customers/{shop.customer['id']}/billing-plans", json=body)
    assert answer.status_code == 201, answer.json
    return answer.json


def blocks(shop) -> list[dict]:
    return shop.dispatcher.get(f"/customers/{shop.customer['id']}/support-blocks").json


def test_a_void_block_sale_cancels_the_block_and_labour_is_billed_again(shop):
    shop.owner.patch("/settings", json={"labor_rate_remote": "100.00"})
    block = sell(shop)
    answer = void(shop.dispatcher, block["invoice_id"])
    assert answer.status_code == 200 and answer.json["status"] == "void"
    assert blocks(shop) == []
    filed = shop.technician.post("/work-orders", json=remote_job(shop, 60)).json
    invoice = shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json
    assert [(line["description"], line["amount"]) for line in invoice["lines"]] == [("Remote support", "100.00")]


def test_a_block_with_hours_used_is_not_cancelled_until_those_work_orders_are_void(shop):
    block = sell(shop)
    first = shop.technician.post("/work-orders", json=remote_job(shop, 60)).json
    second = shop.technician.post("/work-orders", json=remote_job(shop, 30)).json
    answer = void(shop.dispatcher, block["invoice_id"])
    assert answer.status_code == 409
    assert first["number"] in answer.json["message"] and second["number"] in answer.json["message"]
    assert shop.dispatcher.get(f"/invoices/{block['invoice_id']}").json["status"] != "void"
    assert [(kept["id"], kept["hours_used"]) for kept in blocks(shop)] == [(block["id"], "1.50")]
    for filed in (first, second):
        assert shop.dispatcher.post(f"/work-orders/{filed['id']}/void", json={"reason": "Wrong customer"}).status_code == 200
    assert void(shop.dispatcher, block["invoice_id"]).status_code == 200
    assert blocks(shop) == []


def test_the_void_button_refuses_a_used_block_with_the_work_orders_named(shop, office):
    block = sell(shop)
    filed = shop.technician.post("/work-orders", json=remote_job(shop, 60)).json
    answer = void_on_the_page(office, block["invoice_id"])
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert f"were used on {filed['number']}" in page
    assert len(blocks(shop)) == 1
    shop.dispatcher.post(f"/work-orders/{filed['id']}/void", json={"reason": "Wrong customer"})
    assert void_on_the_page(office, block["invoice_id"]).status_code == 302
    assert blocks(shop) == []


def test_a_void_milestone_invoice_puts_the_milestone_back_to_be_invoiced_again(shop, plan):
    deposit = plan["milestones"][0]
    first = shop.dispatcher.post(f"/billing-plans/{plan['id']}/milestones/{deposit['id']}/invoice").json
    assert void(shop.dispatcher, first["id"]).status_code == 200
    again = shop.dispatcher.get(f"/billing-plans/{plan['id']}").json
    assert (again["invoiced"], again["milestones"][0]["invoice_id"]) == ("0.00", None)
    second = shop.dispatcher.post(f"/billing-plans/{plan['id']}/milestones/{deposit['id']}/invoice")
    assert second.status_code == 201 and second.json["id"] != first["id"]
    assert shop.dispatcher.get(f"/billing-plans/{plan['id']}").json["invoiced"] == "400.00"


def test_the_void_button_releases_a_milestone(shop, plan, office):
    handover = plan["milestones"][1]
    invoice = shop.dispatcher.post(f"/billing-plans/{plan['id']}/milestones/{handover['id']}/invoice").json
    assert void_on_the_page(office, invoice["id"]).status_code == 302
    assert shop.dispatcher.get(f"/billing-plans/{plan['id']}").json["milestones"][1]["invoice_id"] is None


def test_a_void_contact_invoice_puts_its_contacts_back_to_wait_for_the_next_invoice(shop, office):
    customer_id = shop.customer["id"]
    logged = shop.dispatcher.post(f"/customers/{customer_id}/contacts", json=contact(billing="now")).json
    assert void(shop.dispatcher, logged["invoice_id"]).status_code == 200
    (waiting,) = shop.dispatcher.get(f"/customers/{customer_id}/contacts").json
    assert (waiting["invoice_id"], waiting["billing"]) == (None, "next_invoice")
    invoice = shop.dispatcher.post(f"/customers/{customer_id}/contacts/invoice")
    assert invoice.status_code == 201 and invoice.json["id"] != logged["invoice_id"]
    # Voided again, on the page this time: it waits once more.
    assert void_on_the_page(office, invoice.json["id"]).status_code == 302
    (waiting,) = shop.dispatcher.get(f"/customers/{customer_id}/contacts").json
    assert (waiting["invoice_id"], waiting["billing"]) == (None, "next_invoice")
