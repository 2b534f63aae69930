"""Closing a client file: only with the work done and nothing owed; the customer becomes inactive, and can come back."""
from datetime import datetime, timedelta, UTC

CLOSING = {"reason": "Project complete", "referral_source": "Dr. Patel", "signature": "Dana Dispatcher"}


def quick_job(shop) -> dict:
    return shop.work_order(labor=[{"kind": "onsite", "minutes": 60}], parts=[], mileage=[], follow_up=None, po_number=None)


def pay_in_full(api, invoice_id):
    invoice = api.get(f"/invoices/{invoice_id}").json
    assert api.post(f"/invoices/{invoice_id}/payments", json={"amount": invoice["balance_due"], "method": "card"}).status_code == 201


def test_closing_with_a_balance_outstanding_is_refused(shop):
    filed = shop.technician.post("/work-orders", json=quick_job(shop)).json
    answer = shop.dispatcher.post(f"/customers/{shop.customer['id']}/close", json=CLOSING)
    assert answer.status_code == 409 and "still owes 125.00" in answer.json["message"]
    assert shop.dispatcher.get(f"/customers/{shop.customer['id']}").json["is_active"] is True
    pay_in_full(shop.dispatcher, filed["invoice"]["id"])
    assert shop.dispatcher.post(f"/customers/{shop.customer['id']}/close", json=CLOSING).status_code == 201


def test_a_closed_file_has_its_summary_and_its_customer_is_inactive_and_hidden(shop):
    customer_id = shop.customer["id"]
    for _ in range(2):
        pay_in_full(shop.dispatcher, shop.technician.post("/work-orders", json=quick_job(shop)).json["invoice"]["id"])
    report = {"title": "Engineer's report", "is_confidential": "true", "file": (__import__("io").BytesIO(b"%PDF-1.4"), "r.pdf")}
    shop.dispatcher.post(f"/customers/{customer_id}/documents", data=report, content_type="multipart/form-data")
    closed = shop.dispatcher.post(f"/customers/{customer_id}/close", json=CLOSING).json
    assert (closed["visits"], closed["reports_received"], closed["referral_source"], closed["signature"]) == (2, 1, "Dr. Patel", "Dana Dispatcher")
    assert shop.dispatcher.get(f"/customers/{customer_id}").json["is_active"] is False
    assert customer_id not in [customer["id"] for customer in shop.dispatcher.get("/customers").json]
    assert customer_id in [customer["id"] for customer in shop.dispatcher.get("/customers?closed=true").json]
    starts = datetime.now(UTC) + timedelta(days=3)
    booking = {"customer_id": customer_id, "technician_id": shop.technician.user.id,
               "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat()}
    assert shop.dispatcher.post("/appointments", json=booking).status_code == 422
    assert shop.technician.post("/work-orders", json=quick_job(shop)).status_code == 422
    assert shop.dispatcher.post(f"/customers/{customer_id}/close", json=CLOSING).status_code == 409
    # History stays.
    assert len(shop.dispatcher.get(f"/customers/{customer_id}/documents").json) == 1


def test_a_closed_file_is_reopened(shop):
    customer_id = shop.customer["id"]
    shop.dispatcher.post(f"/customers/{customer_id}/close", json=CLOSING)
    answer = shop.dispatcher.post(f"/customers/{customer_id}/reopen", json={"reason": "New job: boiler service"})
    assert answer.status_code == 200 and answer.json["is_active"] is True
    assert shop.technician.post("/work-orders", json=quick_job(shop)).status_code == 201
    assert shop.dispatcher.post(f"/customers/{customer_id}/reopen", json={"reason": "again"}).status_code == 409


def test_work_still_to_do_keeps_the_file_open(shop):
    customer_id = shop.customer["id"]
    step = {"kind": "return_call", "due_on": "2026-12-01", "assignee_id": shop.dispatcher.user.id}
    contact = {"kind": "phone", "participants": "Owner", "minutes": 10, "payer": "no_charge", "action_steps": [step]}
    logged = shop.dispatcher.post(f"/customers/{customer_id}/contacts", json=contact).json
    answer = shop.dispatcher.post(f"/customers/{customer_id}/close", json=CLOSING)
    assert answer.status_code == 409 and "action step" in answer.json["message"]
    shop.dispatcher.post(f"/action-steps/{logged['action_steps'][0]['id']}/done")
    filed = shop.technician.post("/work-orders", json={**quick_job(shop), "follow_up": {"in_days": 7, "duration_minutes": 60}}).json
    pay_in_full(shop.dispatcher, filed["invoice"]["id"])
    answer = shop.dispatcher.post(f"/customers/{customer_id}/close", json=CLOSING)
    assert answer.status_code == 409 and "still booked" in answer.json["message"]


def test_a_running_maintenance_plan_keeps_the_file_open(shop):
    customer_id = shop.customer["id"]
    body = {"customer_id": customer_id, "every_months": 3, "starts_on": "2031-03-03", "visit_time": "09:00", "minutes": 90}
    plan = shop.dispatcher.post("/maintenance-plans", json=body).json
    answer = shop.dispatcher.post(f"/customers/{customer_id}/close", json=CLOSING)
    assert answer.status_code == 409 and "maintenance plan" in answer.json["message"]
    shop.dispatcher.post(f"/maintenance-plans/{plan['id']}/deactivate")
    assert shop.dispatcher.post(f"/customers/{customer_id}/close", json=CLOSING).status_code == 201


def test_billable_contacts_not_yet_invoiced_keep_the_file_open(shop):
    customer_id = shop.customer["id"]
    shop.dispatcher.post(f"/customers/{customer_id}/contacts", json={"kind": "phone", "participants": "Owner", "minutes": 30, "hourly_rate": "80.00"})
    answer = shop.dispatcher.post(f"/customers/{customer_id}/close", json=CLOSING)
    assert answer.status_code == 409 and "waiting for an invoice" in answer.json["message"]


def test_closing_needs_a_reason_and_a_signature_and_the_office(shop):
    customer_id = shop.customer["id"]
    answer = shop.dispatcher.post(f"/customers/{customer_id}/close", json={"reason": " ", "signature": ""})
    assert answer.status_code == 422 and set(answer.json["errors"]) == {"reason", "signature"}
    assert shop.technician.post(f"/customers/{customer_id}/close", json=CLOSING).status_code == 403
    assert shop.dispatcher.post("/customers/999999/close", json=CLOSING).status_code == 404
    assert shop.dispatcher.get(f"/customers/{customer_id}").json["is_active"] is True
