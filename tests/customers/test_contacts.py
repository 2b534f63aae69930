"""The contact log: contacts with time and money, action steps on the responsible person's list, billing."""
from decimal import Decimal


def contact(**changes) -> dict:
    body = {
        "kind": "phone",
        "occurred_at": "2026-11-20T15:30:00+00:00",
        "participants": "Dr. Alvarez (office manager), Sam from the office",
        "minutes": 45,
        "hourly_rate": "80.00",
        "notes": "Server room keeps overheating; asked for a quote.",
    }
    body.update(changes)
    return body


def test_a_contact_is_logged_with_its_time_rate_and_total(shop):
    answer = shop.dispatcher.post(f"/customers/{shop.customer['id']}/contacts", json=contact())
    assert answer.status_code == 201, answer.json
    logged = answer.json
    assert (logged["kind"], logged["minutes"], logged["hourly_rate"], logged["amount"]) == ("phone", 45, "80.00", "60.00")
    assert logged["payer"] == "customer" and logged["billing"] == "next_invoice" and logged["invoice_id"] is None
    log = shop.dispatcher.get(f"/customers/{shop.customer['id']}/contacts").json
    assert [entry["participants"] for entry in log] == ["Dr. Alvarez (office manager), Sam from the office"]


def test_without_a_rate_the_company_rate_for_that_way_of_meeting_applies(shop):
    logged = shop.dispatcher.post(f"/customers/{shop.customer['id']}/contacts", json=contact(kind="on_site", hourly_rate=None, minutes=30)).json
    assert (logged["hourly_rate"], logged["amount"]) == ("125.00", "62.50")


def test_a_no_charge_contact_costs_nothing_and_is_never_invoiced(shop):
    logged = shop.dispatcher.post(f"/customers/{shop.customer['id']}/contacts", json=contact(payer="no_charge", billing="now")).json
    assert logged["amount"] == "0.00" and logged["invoice_id"] is None


def test_billing_now_issues_an_invoice_for_the_contact_alone(shop, smtp_server):
    logged = shop.dispatcher.post(f"/customers/{shop.customer['id']}/contacts", json=contact(billing="now")).json
    invoice = shop.dispatcher.get(f"/invoices/{logged['invoice_id']}").json
    assert [(line["kind"], line["quantity"], line["unit_price"], line["amount"]) for line in invoice["lines"]] == [
        ("labor", "0.75", "80.00", "60.00")
    ]
    assert invoice["lines"][0]["description"] == "Phone call 2026-11-20 15:30"
    assert invoice["total"] == "60.00"  # labour is not taxed in this shop
    (message,) = smtp_server.wait_for(1)
    assert invoice["number"] in message["Subject"]


def test_contacts_for_the_next_invoice_join_the_next_work_order_invoice_once(shop):
    customer_id = shop.customer["id"]
    shop.dispatcher.post(f"/customers/{customer_id}/contacts", json=contact())
    shop.dispatcher.post(f"/customers/{customer_id}/contacts", json=contact(kind="email", minutes=15, hourly_rate="100.00"))
    filed = shop.technician.post("/work-orders", json=shop.work_order(parts=[], mileage=[], follow_up=None)).json
    invoice = shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json
    assert [line["description"] for line in invoice["lines"]] == [
        "On-site labour", "Travel time", "Phone call 2026-11-20 15:30", "Email 2026-11-20 15:30",
    ]
    # 1.58 h × 125 + 0.50 h × 65 + 60.00 + 25.00
    assert invoice["subtotal"] == str(Decimal("197.50") + Decimal("32.50") + Decimal("60.00") + Decimal("25.00"))
    assert {entry["invoice_id"] for entry in shop.dispatcher.get(f"/customers/{customer_id}/contacts").json} == {invoice["id"]}
    again = shop.technician.post("/work-orders", json=shop.work_order(parts=[], mileage=[], follow_up=None)).json
    assert len(shop.dispatcher.get(f"/invoices/{again['invoice']['id']}").json["lines"]) == 2
    # The technician is paid for their own labour, not for the office's contacts on the same invoice.
    assert filed["pay_accrued"] == again["pay_accrued"]


def test_the_dispatcher_invoices_the_waiting_contacts_at_once(shop):
    customer_id = shop.customer["id"]
    shop.dispatcher.post(f"/customers/{customer_id}/contacts", json=contact())
    answer = shop.dispatcher.post(f"/customers/{customer_id}/contacts/invoice")
    assert answer.status_code == 201 and answer.json["total"] == "60.00"
    again = shop.dispatcher.post(f"/customers/{customer_id}/contacts/invoice")
    assert again.status_code == 409


def test_action_steps_stay_on_the_responsible_persons_list_until_done(shop, api_as, make_user):
    colleague = api_as(make_user("dispatcher"))
    steps = [
        {"kind": "return_call", "due_on": "2026-11-25", "assignee_id": colleague.user.id, "description": "Call back with the quote"},
        {"kind": "referral", "due_on": "2026-11-23", "assignee_id": colleague.user.id},
    ]
    logged = shop.dispatcher.post(f"/customers/{shop.customer['id']}/contacts", json=contact(action_steps=steps)).json
    assert [step["kind"] for step in logged["action_steps"]] == ["referral", "return_call"]
    mine = colleague.get("/action-steps").json
    assert [(step["kind"], step["due_on"], step["customer_name"]) for step in mine] == [
        ("referral", "2026-11-23", "Harbor View Dental"), ("return_call", "2026-11-25", "Harbor View Dental"),
    ]
    assert shop.dispatcher.get("/action-steps").json == []
    assert colleague.post(f"/action-steps/{mine[0]['id']}/done").status_code == 200
    assert [step["kind"] for step in colleague.get("/action-steps").json] == ["return_call"]
    assert colleague.post(f"/action-steps/{mine[0]['id']}/done").status_code == 409


def test_a_technician_sees_and_ticks_off_only_their_own_steps(shop):
    step = {"kind": "file", "due_on": "2026-11-25", "assignee_id": shop.dispatcher.user.id}
    logged = shop.dispatcher.post(f"/customers/{shop.customer['id']}/contacts", json=contact(action_steps=[step])).json
    assert shop.technician.get(f"/action-steps?assignee_id={shop.dispatcher.user.id}").status_code == 403
    assert shop.technician.post(f"/action-steps/{logged['action_steps'][0]['id']}/done").status_code == 404
    assert shop.technician.post(f"/customers/{shop.customer['id']}/contacts", json=contact()).status_code == 403


def test_bad_contacts_are_refused_and_nothing_is_written(shop):
    customer_id = shop.customer["id"]
    for bad, field in (
        (contact(kind="fax"), "kind"),
        (contact(minutes=0), "minutes"),
        (contact(hourly_rate="-5.00"), "hourly_rate"),
        (contact(occurred_at="2026-11-20T15:30:00"), "occurred_at"),
        (contact(participants="  "), "participants"),
        (contact(action_steps=[{"kind": "file", "due_on": "2026-11-25", "assignee_id": 999999}]), "action_steps"),
    ):
        answer = shop.dispatcher.post(f"/customers/{customer_id}/contacts", json=bad)
        assert answer.status_code == 422 and field in answer.json["errors"], (field, answer.json)
    assert shop.dispatcher.post("/customers/999999/contacts", json=contact()).status_code == 404
    assert shop.dispatcher.get(f"/customers/{customer_id}/contacts").json == []


def test_contacts_on_a_voided_work_orders_invoice_wait_for_the_next_invoice_again(shop):
    customer_id = shop.customer["id"]
    shop.dispatcher.post(f"/customers/{customer_id}/contacts", json=contact())
    job = shop.work_order(parts=[], mileage=[], follow_up=None)
    filed = shop.technician.post("/work-orders", json=job).json
    assert shop.dispatcher.post(f"/work-orders/{filed['id']}/void", json={"reason": "Wrong customer"}).status_code == 200
    assert shop.dispatcher.get(f"/customers/{customer_id}/contacts").json[0]["invoice_id"] is None
    again = shop.technician.post("/work-orders", json=job).json
    lines = shop.dispatcher.get(f"/invoices/{again['invoice']['id']}").json["lines"]
    assert lines[-1]["description"] == "Phone call 2026-11-20 15:30"
