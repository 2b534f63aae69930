"""Support blocks: prepaid hours drawn down by labour, overage at the normal rate, notices at 80 % and at the end."""
from sqlalchemy import select

from dispatch.customers.jobs import email_support_block_notices
from dispatch.customers.models import SupportBlock
from dispatch.extensions import db


def sell(shop, hours="10.00", po_number="PO-BLOCK-7", **extra):
    answer = shop.dispatcher.post(f"/customers/{shop.customer['id']}/support-blocks", json={"hours": hours, "po_number": po_number, **extra})
    assert answer.status_code == 201, answer.json
    return answer.json


def remote_job(shop, minutes: int, **changes) -> dict:
    return shop.work_order(labor=[{"kind": "remote", "minutes": minutes}], parts=[], mileage=[], follow_up=None, **{"po_number": None, **changes})


def test_a_block_is_sold_on_its_own_invoice_with_its_po_number(shop, smtp_server):
    block = sell(shop, hourly_rate="90.00")
    assert (block["hours"], block["hours_used"], block["hours_left"], block["hourly_rate"]) == ("10.00", "0.00", "10.00", "90.00")
    invoice = shop.dispatcher.get(f"/invoices/{block['invoice_id']}").json
    assert invoice["po_number"] == "PO-BLOCK-7" and invoice["total"] == "900.00"
    assert invoice["lines"][0]["description"] == "Support block of 10.00 hours (PO PO-BLOCK-7)"
    (message,) = smtp_server.wait_for(1)
    assert invoice["number"] in message["Subject"]


def test_labour_draws_the_block_down_instead_of_being_invoiced(shop):
    block = sell(shop)
    filed = shop.technician.post("/work-orders", json=remote_job(shop, 90)).json
    invoice = shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json
    assert [(line["description"], line["quantity"], line["amount"]) for line in invoice["lines"]] == [
        ("Remote support: from support block PO PO-BLOCK-7", "1.50", "0.00"),
    ]
    assert invoice["total"] == "0.00" and invoice["po_number"] == "PO-BLOCK-7"
    (after,) = shop.dispatcher.get(f"/customers/{shop.customer['id']}/support-blocks").json
    assert (after["id"], after["hours_used"], after["hours_left"]) == (block["id"], "1.50", "8.50")


def test_an_exhausted_block_bills_the_overage_at_the_normal_rate_and_never_goes_negative(shop, owner_api):
    owner_api.patch("/settings", json={"labor_rate_remote": "100.00"})
    sell(shop, hours="2.00")
    filed = shop.technician.post("/work-orders", json=remote_job(shop, 180, po_number="PO-JOB-1")).json
    invoice = shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json
    assert [(line["description"], line["quantity"], line["unit_price"], line["amount"]) for line in invoice["lines"]] == [
        ("Remote support: from support block PO PO-BLOCK-7", "2.00", "0.00", "0.00"),
        ("Remote support: beyond the support block", "1.00", "100.00", "100.00"),
    ]
    # The job's own PO heads the invoice; the block's is on the line it touched.
    assert invoice["po_number"] == "PO-JOB-1"
    again = shop.technician.post("/work-orders", json=remote_job(shop, 60)).json
    invoice = shop.dispatcher.get(f"/invoices/{again['invoice']['id']}").json
    assert [(line["description"], line["amount"]) for line in invoice["lines"]] == [("Remote support", "100.00")]
    (block,) = shop.dispatcher.get(f"/customers/{shop.customer['id']}/support-blocks").json
    assert (block["hours_used"], block["hours_left"]) == ("2.00", "0.00")


def test_the_dispatcher_and_customer_are_emailed_at_80_percent_and_when_it_runs_out(shop, smtp_server, jobs_done):
    sell(shop, hours="5.00")
    smtp_server.wait_for(1)  # the block's invoice
    smtp_server.clear()
    shop.technician.post("/work-orders", json=remote_job(shop, 180))  # 3 of 5 h: 60 %, no notice
    jobs_done()
    assert [message for message in smtp_server.wait_for(1) if "Support block" in message["Subject"]] == []
    shop.technician.post("/work-orders", json=remote_job(shop, 60))  # 4 of 5 h: 80 %
    jobs_done()
    warnings = [message for message in smtp_server.wait_for(4) if "Support block" in message["Subject"]]
    assert sorted(message["To"] for message in warnings) == sorted([shop.dispatcher.user.email, shop.customer["email"]])
    assert "80% used" in warnings[0]["Subject"]
    assert "1.00 of 5.00 hours left" in warnings[0].get_content()
    shop.technician.post("/work-orders", json=remote_job(shop, 120))  # runs out, 1 h overage
    jobs_done()
    ran_out = [message for message in smtp_server.wait_for(7) if "used up" in message["Subject"]]
    assert sorted(message["To"] for message in ran_out) == sorted([shop.dispatcher.user.email, shop.customer["email"]])


def test_the_notice_job_run_twice_emails_once(app, shop, smtp_server, jobs_done):
    sell(shop, hours="1.00")
    shop.technician.post("/work-orders", json=remote_job(shop, 60))
    jobs_done()
    with app.app_context():
        block_id = db.session.scalar(select(SupportBlock.id))
        assert email_support_block_notices(block_id) == 0  # the filing's job already sent both
        db.session.remove()
    notices = [message for message in smtp_server.wait_for(6) if "Support block" in message["Subject"]]
    assert len(notices) == 4  # 80 % and used up, to the dispatcher and to the customer


def test_bad_sales_are_refused(shop):
    customer_id = shop.customer["id"]
    for bad, field in (({"hours": "0", "po_number": "X"}, "hours"), ({"hours": "5.00", "po_number": " "}, "po_number"),
                       ({"hours": "5.00"}, "po_number"), ({"hours": "5.00", "po_number": "X", "hourly_rate": "-1.00"}, "hourly_rate")):
        answer = shop.dispatcher.post(f"/customers/{customer_id}/support-blocks", json=bad)
        assert answer.status_code == 422 and field in answer.json["errors"], bad
    assert shop.technician.post(f"/customers/{customer_id}/support-blocks", json={"hours": "5.00", "po_number": "X"}).status_code == 403
    assert shop.dispatcher.get(f"/customers/{customer_id}/support-blocks").json == []


def test_voiding_a_work_order_gives_its_hours_back_to_the_block(shop):
    sell(shop, hours="4.00")
    filed = shop.technician.post("/work-orders", json=remote_job(shop, 90)).json
    assert shop.dispatcher.post(f"/work-orders/{filed['id']}/void", json={"reason": "Filed twice"}).status_code == 200
    (block,) = shop.dispatcher.get(f"/customers/{shop.customer['id']}/support-blocks").json
    assert (block["hours_used"], block["hours_left"]) == ("0.00", "4.00")
