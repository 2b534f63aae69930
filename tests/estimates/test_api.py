"""The estimates API: prepared and priced by the office, emailed as a PDF with the customer's link."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from dispatch.core.numbering import NumberSequence
from dispatch.estimates.jobs import email_estimate
from dispatch.estimates.models import Estimate, EstimateLine
from dispatch.extensions import db
from dispatch.invoicing.models import Invoice
from dispatch.jobs import OutboxMessage
from dispatch.workorders.models import WorkOrder
from tests.estimates.conftest import answer_estimate, estimate_body
from tests.invoicing.test_email import attachment_of, pdf_text


def count_rows(app) -> dict:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Estimate, EstimateLine, NumberSequence, OutboxMessage, WorkOrder, Invoice)
        }


def test_an_estimate_is_priced_as_calculated_by_hand(shop, today):
    answer = shop.dispatcher.post("/estimates", json=estimate_body(shop, today))
    assert answer.status_code == 201, answer.json
    estimate = answer.json
    assert estimate["number"] == f"EST-{today.year}-000001"
    assert estimate["status"] == "draft"
    assert [(line["quantity"], line["unit_price"], line["amount"], line["is_taxable"]) for line in estimate["lines"]] == [
        ("1.00", "189.00", "189.00", True),
        ("2.50", "125.00", "312.50", False),
        ("3.00", "42.35", "127.05", True),
        ("0.33", "12.50", "4.13", True),  # 4.125, rounded half up
    ]
    assert estimate["subtotal"] == "632.68"
    assert estimate["tax"] == "26.41"  # 8.25 % of the taxable 320.18 = 26.41485
    assert estimate["total"] == "659.09"
    assert estimate["issue_date"] == today.isoformat()
    assert (estimate["technician_id"], estimate["visit_minutes"]) == (shop.technician.user.id, 90)
    assert len(estimate["token"]) >= 40
    assert (estimate["sent_at"], estimate["decided_at"], estimate["appointment_id"]) == (None, None, None)
    assert shop.dispatcher.get(f"/estimates/{estimate['id']}").json == estimate


def test_numbers_run_on_without_gaps(shop, today):
    assert shop.dispatcher.post("/estimates", json=estimate_body(shop, today)).json["number"] == f"EST-{today.year}-000001"
    refused = shop.dispatcher.post("/estimates", json=estimate_body(shop, today, customer_id=999_999))
    assert refused.status_code == 422
    assert shop.owner.post("/estimates", json=estimate_body(shop, today)).json["number"] == f"EST-{today.year}-000002"


def test_without_a_technician_or_visit_length_the_estimate_still_stands(shop, today):
    body = estimate_body(shop, today, lines=[{"description": "Survey", "quantity": "1", "unit_price": "80.00", "is_taxable": False}])
    del body["technician_id"], body["visit_minutes"], body["notes"]
    estimate = shop.dispatcher.post("/estimates", json=body).json
    assert (estimate["technician_id"], estimate["visit_minutes"], estimate["total"]) == (None, 60, "80.00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda shop, today: {"customer_id": 999_999}, "customer_id"),
        (lambda shop, today: {"site_id": 999_999}, "site_id"),
        (lambda shop, today: {"technician_id": shop.dispatcher.user.id}, "technician_id"),
        (lambda shop, today: {"visit_minutes": 5}, "visit_minutes"),
        (lambda shop, today: {"valid_until": (today - timedelta(days=1)).isoformat()}, "valid_until"),
        (lambda shop, today: {"valid_until": "31/12/2030"}, "valid_until"),
        (lambda shop, today: {"lines": []}, "lines"),
        (lambda shop, today: {"lines": [{"description": "Motor", "quantity": "0", "unit_price": "10.00"}]}, "lines"),
        (lambda shop, today: {"lines": [{"description": "Motor", "quantity": "1", "unit_price": "10.005"}]}, "lines"),
        (lambda shop, today: {"lines": [{"description": "Motor", "quantity": "1", "unit_price": "-10.00"}]}, "lines"),
        (lambda shop, today: {"lines": [{"description": "   ", "quantity": "1", "unit_price": "10.00"}]}, "lines"),
        (lambda shop, today: {"lines": [{"description": "Motors", "quantity": "100000", "unit_price": "9999999.99"}]}, "lines"),
        (lambda shop, today: {"discount": "10.00"}, "discount"),
    ],
)
def test_bad_input_is_refused_by_field_and_writes_nothing(app, shop, today, change, field):
    before = count_rows(app)
    answer = shop.dispatcher.post("/estimates", json=estimate_body(shop, today, **change(shop, today)))
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]
    assert count_rows(app) == before


def test_quantities_and_prices_may_be_json_numbers(shop, today):
    lines = [{"description": "Filter", "quantity": 1.5, "unit_price": 10}]
    answer = shop.dispatcher.post("/estimates", json=estimate_body(shop, today, lines=lines))
    assert answer.status_code == 201
    assert answer.json["lines"][0]["amount"] == "15.00"


def test_valid_until_is_required(app, shop, today):
    body = estimate_body(shop, today)
    del body["valid_until"]
    answer = shop.dispatcher.post("/estimates", json=body)
    assert answer.status_code == 422
    assert "valid_until" in answer.json["errors"]


def test_valid_until_today_is_not_in_the_past(shop, today):
    answer = shop.dispatcher.post("/estimates", json=estimate_body(shop, today, valid_until=today.isoformat()))
    assert answer.status_code == 201


def test_estimates_are_for_the_office(app, shop, prepare, today):
    estimate = prepare()
    before = count_rows(app)
    assert shop.technician.post("/estimates", json=estimate_body(shop, today)).status_code == 403
    assert shop.technician.get(f"/estimates/{estimate['id']}").status_code == 403
    assert shop.technician.post(f"/estimates/{estimate['id']}/send").status_code == 403
    assert count_rows(app) == before
    assert shop.dispatcher.get("/estimates/999999").status_code == 404
    assert shop.dispatcher.post("/estimates/999999/send").status_code == 404


def test_sending_emails_the_pdf_and_the_customers_link(app, shop, prepare, smtp_server, jobs_done):
    estimate = prepare()
    answer = shop.dispatcher.post(f"/estimates/{estimate['id']}/send")
    assert answer.status_code == 202
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == shop.customer["email"]
    assert estimate["number"] in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"{app.config['PUBLIC_URL']}/e/{estimate['token']}" in body
    text = pdf_text(attachment_of(message))
    for expected in (estimate["number"], "659.09", "632.68", "26.41", "Tax 8.25 %", "Seacoast Heating & Cooling",
                     "Harbor View Dental", "Condenser fan motor, supplied and fitted", "Valid until"):
        assert expected in text, expected
    jobs_done()
    sent = shop.dispatcher.get(f"/estimates/{estimate['id']}").json
    assert sent["status"] == "sent"
    assert sent["sent_at"] is not None


def test_running_the_email_job_twice_sends_once(app, shop, prepare, smtp_server, jobs_done):
    estimate = prepare()
    shop.dispatcher.post(f"/estimates/{estimate['id']}/send")
    smtp_server.wait_for(1)
    jobs_done()
    with app.app_context():
        assert email_estimate(estimate["id"]) == 0
        assert email_estimate(estimate["id"]) == 0
    assert len(smtp_server.wait_for(2, seconds=1)) == 1


def test_the_dispatcher_can_send_it_again_until_it_is_decided(app, shop, prepare, smtp_server, jobs_done):
    estimate = prepare()
    shop.dispatcher.post(f"/estimates/{estimate['id']}/send")
    smtp_server.wait_for(1)
    jobs_done()
    assert shop.dispatcher.post(f"/estimates/{estimate['id']}/send").status_code == 202
    assert len(smtp_server.wait_for(2)) == 2
    jobs_done()
    assert answer_estimate(app, estimate["token"], "decline").status_code == 302
    answer = shop.dispatcher.post(f"/estimates/{estimate['id']}/send")
    assert answer.status_code == 409
    assert "declined" in answer.json["message"]
    jobs_done()
    assert len(smtp_server.wait_for(3, seconds=1)) == 2


def test_an_expired_estimate_is_not_sent(app, shop, prepare, smtp_server, jobs_done):
    estimate = prepare()
    with app.app_context():
        db.session.execute(update(Estimate).where(Estimate.id == estimate["id"]).values(valid_until=date(2020, 1, 31)))
        db.session.commit()
    answer = shop.dispatcher.post(f"/estimates/{estimate['id']}/send")
    assert answer.status_code == 409
    assert "expired on 2020-01-31" in answer.json["message"]
    jobs_done()
    assert smtp_server.wait_for(1, seconds=1) == []


def test_work_filed_against_an_accepted_estimate_is_invoiced_from_the_work_done(app, shop, prepare):
    estimate = prepare()
    assert answer_estimate(app, estimate["token"], "accept").status_code == 302
    filed = shop.technician.post("/work-orders", json=shop.work_order(estimate_id=estimate["id"]))
    assert filed.status_code == 201, filed.json
    # The work order example's own invoice (see tests/workorders), not the estimate's 659.09.
    assert filed.json["invoice"]["total"] == "538.40"
    with app.app_context():
        assert db.session.get(WorkOrder, filed.json["id"]).estimate_id == estimate["id"]


def test_work_filed_against_another_customers_or_an_undecided_estimate_is_refused(app, shop, prepare, make_customer):
    other_customer = make_customer(name="Bayside Bakery", email="orders@bayside.example")
    theirs = prepare(customer_id=other_customer["id"])
    assert answer_estimate(app, theirs["token"], "accept").status_code == 302
    undecided = prepare()
    declined = prepare()
    assert answer_estimate(app, declined["token"], "decline").status_code == 302
    before = count_rows(app)
    for estimate_id in (theirs["id"], undecided["id"], declined["id"], 999_999):
        answer = shop.technician.post("/work-orders", json=shop.work_order(estimate_id=estimate_id))
        assert answer.status_code == 422, answer.json
        assert list(answer.json["errors"]) == ["estimate_id"]
    assert count_rows(app) == before
