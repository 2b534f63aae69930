"""POST /work-orders: one step from the field to an invoice, stock, pay and a follow-up."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from dispatch.core.idempotency import IdempotencyKey, claim, fingerprint
from dispatch.extensions import db
from dispatch.inventory.models import StockMovement
from dispatch.invoicing.models import Invoice
from dispatch.jobs import OutboxMessage
from dispatch.payroll.models import PayAccrual
from dispatch.workorders.models import WorkOrder

TODAY = datetime.now(ZoneInfo("UTC")).date()


def test_filing_writes_the_invoice_as_calculated_by_hand(shop):
    answer = shop.technician.post("/work-orders", json=shop.work_order())
    assert answer.status_code == 201
    filed = answer.json
    assert filed["number"] == f"WO-{TODAY.year}-000001"
    assert filed["status"] == "invoiced"
    assert filed["invoice"]["number"] == f"INV-{TODAY.year}-000001"

    invoice = shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json
    lines = [(line["kind"], line["quantity"], line["unit_price"], line["amount"]) for line in invoice["lines"]]
    assert lines == [
        ("labor", "1.58", "125.00", "197.50"),  # 95 min = 1.58 h × 125.00
        ("labor", "0.50", "65.00", "32.50"),  # 30 min travel
        ("part", "1.00", "189.00", "189.00"),
        ("part", "2.00", "42.00", "84.00"),
        ("mileage", "18.40", "0.70", "12.88"),
    ]
    assert invoice["subtotal"] == "515.88"
    assert invoice["tax"] == "22.52"  # 8.25 % of the taxable parts, 273.00 → 22.5225
    assert invoice["total"] == filed["invoice"]["total"] == "538.40"
    assert invoice["balance_due"] == "538.40"
    assert invoice["issue_date"] == TODAY.isoformat()
    assert invoice["due_date"] == (TODAY + timedelta(days=15)).isoformat()  # the customer's terms
    assert invoice["po_number"] == "PO-5531"
    assert invoice["work_order_id"] == filed["id"]


def test_filing_takes_the_parts_off_the_right_shelves(app, shop):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    assert shop.stock(shop.fan_motor, shop.van_id) == 2  # from the technician's van by default
    assert shop.stock(shop.capacitor, shop.warehouse_id) == 3  # from the warehouse, as asked
    with app.app_context():
        usages = db.session.execute(
            select(StockMovement.part_id, StockMovement.quantity, StockMovement.unit_cost, StockMovement.reference)
            .where(StockMovement.kind == "usage")
        ).all()
    assert {(part_id, quantity, str(cost), reference) for part_id, quantity, cost, reference in usages} == {
        (shop.fan_motor["id"], -1, "96.40", filed["number"]),
        (shop.capacitor["id"], -2, "11.80", filed["number"]),
    }


def test_filing_accrues_the_technicians_pay(shop):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    assert filed["pay_accrued"] == "66.56"  # 125 min = 2.08 h × 32.00
    accruals = shop.technician.get("/pay-accruals").json
    assert [(a["kind"], a["hours"], a["rate"], a["amount"], a["work_order_id"]) for a in accruals] == [
        ("regular", "2.08", "32.00", "66.56", filed["id"])
    ]


def test_non_billable_labour_is_paid_but_not_invoiced(shop):
    body = shop.work_order(labor=[{"kind": "onsite", "minutes": 60}, {"kind": "phone", "minutes": 30, "is_billable": False}])
    filed = shop.technician.post("/work-orders", json=body).json
    invoice = shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json
    assert [line["kind"] for line in invoice["lines"]] == ["labor", "part", "part", "mileage"]
    assert filed["pay_accrued"] == "48.00"  # 1.5 h × 32.00


def test_labour_can_be_given_as_start_and_end_times(shop):
    started = datetime(2026, 3, 2, 13, 5, tzinfo=ZoneInfo("UTC"))
    body = shop.work_order(labor=[{"kind": "onsite", "started_at": started.isoformat(), "ended_at": (started + timedelta(minutes=45)).isoformat()}])
    filed = shop.technician.post("/work-orders", json=body).json
    assert filed["labor"][0]["minutes"] == 45


def test_the_appointment_is_completed_and_a_follow_up_booked(shop):
    starts_at = datetime.combine(TODAY + timedelta(days=1), datetime.min.time(), ZoneInfo("UTC")).replace(hour=9)
    visit = shop.dispatcher.post(
        "/appointments",
        json={"customer_id": shop.customer["id"], "technician_id": shop.technician.user.id,
              "starts_at": starts_at.isoformat(), "ends_at": (starts_at + timedelta(hours=2)).isoformat()},
    ).json
    filed = shop.technician.post("/work-orders", json=shop.work_order(appointment_id=visit["id"])).json
    appointments = {a["id"]: a for a in shop.technician.get("/appointments").json}
    assert appointments[visit["id"]]["status"] == "completed"
    follow_up = appointments[filed["follow_up_appointment"]["id"]]
    assert follow_up["kind"] == "follow_up"
    assert follow_up["notes"] == "Check refrigerant pressure"
    starts = datetime.fromisoformat(follow_up["starts_at"])
    assert starts.date() >= TODAY + timedelta(days=14)
    assert starts.weekday() < 5 and 8 <= starts.hour and starts + timedelta(minutes=60) <= starts.replace(hour=17, minute=0)


def test_filing_for_the_same_appointment_twice_is_a_conflict(shop):
    starts_at = datetime.combine(TODAY + timedelta(days=2), datetime.min.time(), ZoneInfo("UTC")).replace(hour=9)
    visit = shop.dispatcher.post(
        "/appointments",
        json={"customer_id": shop.customer["id"], "technician_id": shop.technician.user.id,
              "starts_at": starts_at.isoformat(), "ends_at": (starts_at + timedelta(hours=1)).isoformat()},
    ).json
    body = shop.work_order(appointment_id=visit["id"], follow_up=None)
    assert shop.technician.post("/work-orders", json=body).status_code == 201
    again = shop.technician.post("/work-orders", json=body)
    assert again.status_code == 409
    assert "WO-" in again.json["message"]


def count_rows(app) -> dict:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (WorkOrder, Invoice, PayAccrual, StockMovement, OutboxMessage)
        }


def test_not_enough_stock_is_a_conflict_that_writes_nothing(app, shop):
    before = count_rows(app)
    body = shop.work_order(parts=[{"part_id": shop.capacitor["id"], "quantity": 1, "location_id": shop.warehouse_id},
                                  {"part_id": shop.fan_motor["id"], "quantity": 4}])
    answer = shop.technician.post("/work-orders", json=body)
    assert answer.status_code == 409
    assert "FAN-MTR-5" in answer.json["message"]
    assert count_rows(app) == before
    assert shop.stock(shop.capacitor, shop.warehouse_id) == 5
    assert shop.stock(shop.fan_motor, shop.van_id) == 3
    # No number was used up: the next work order and invoice are still the first.
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    assert filed["number"].endswith("-000001")
    assert filed["invoice"]["number"].endswith("-000001")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer_id": 999_999}, "customer_id"),
        ({"parts": [{"part_id": 999_999, "quantity": 1}]}, "parts"),
        ({"parts": [{"part_id": 1, "quantity": 0}]}, "parts"),
        ({"parts": [{"part_id": 1, "quantity": -2}]}, "parts"),
        ({"labor": [{"kind": "onsite", "minutes": 0}]}, "labor"),
        ({"labor": [{"kind": "onsite", "minutes": -30}]}, "labor"),
        ({"labor": [{"kind": "onsite", "minutes": 24 * 60 + 1}]}, "labor"),
        ({"labor": [{"kind": "onsite", "started_at": "2026-03-02T08:00:00+00:00", "ended_at": "2026-03-03T08:30:00+00:00"}]}, "labor"),
        ({"labor": [{"kind": "lunch", "minutes": 30}]}, "labor"),
        ({"labor": [], "parts": [], "mileage": []}, "labor"),
        ({"mileage": [{"miles": "-3"}]}, "mileage"),
        ({"summary": ""}, "summary"),
        ({"follow_up": {"in_days": 3}}, "follow_up"),
        ({"sneaky": True}, "sneaky"),
    ],
)
def test_bad_input_is_refused_by_field_and_writes_nothing(app, shop, change, field):
    before = count_rows(app)
    answer = shop.technician.post("/work-orders", json=shop.work_order(**change))
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]
    assert count_rows(app) == before


def test_a_technician_cannot_file_for_someone_else(app, shop, make_user):
    other = make_user("technician")
    before = count_rows(app)
    answer = shop.technician.post("/work-orders", json=shop.work_order(technician_id=other.id))
    assert answer.status_code == 403
    assert count_rows(app) == before


def test_the_office_files_for_a_named_technician(shop):
    assert shop.dispatcher.post("/work-orders", json=shop.work_order()).status_code == 422
    filed = shop.dispatcher.post("/work-orders", json=shop.work_order(technician_id=shop.technician.user.id))
    assert filed.status_code == 201
    assert filed.json["technician_id"] == shop.technician.user.id


def test_another_technicians_van_is_not_a_place_to_take_parts_from(app, shop, dispatcher_api, make_user, make_part):
    other = make_user("technician")
    from tests.conftest import van_id

    their_van = van_id(dispatcher_api, other.id)
    part = make_part(stock=2, location_id=their_van)
    answer = shop.technician.post("/work-orders", json=shop.work_order(parts=[{"part_id": part["id"], "quantity": 1, "location_id": their_van}]))
    assert answer.status_code == 422
    assert shop.stock(part, their_van) == 2


def test_a_technician_sees_only_their_own_work_orders(shop, api_as):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    assert shop.technician.get(f"/work-orders/{filed['id']}").json["invoice_id"] == filed["invoice"]["id"]
    assert shop.dispatcher.get(f"/work-orders/{filed['id']}").status_code == 200
    assert api_as("technician").get(f"/work-orders/{filed['id']}").status_code == 404
    assert shop.dispatcher.get("/work-orders/999999").status_code == 404


def test_invoices_are_for_the_office(shop):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    assert shop.technician.get(f"/invoices/{filed['invoice']['id']}").status_code == 403
    assert shop.dispatcher.get("/invoices/999999").status_code == 404


class TestIdempotencyKey:
    def test_a_retry_gets_the_first_answer_and_writes_nothing(self, app, shop):
        headers = {"Idempotency-Key": "phone-7f3a"}
        first = shop.technician.post("/work-orders", json=shop.work_order(), headers=headers)
        before = count_rows(app)
        retry = shop.technician.post("/work-orders", json=shop.work_order(), headers=headers)
        assert retry.status_code == 201
        assert retry.json == first.json
        assert count_rows(app) == before
        assert shop.stock(shop.fan_motor, shop.van_id) == 2

    def test_the_same_key_with_another_body_is_refused(self, app, shop):
        headers = {"Idempotency-Key": "phone-7f3b"}
        shop.technician.post("/work-orders", json=shop.work_order(), headers=headers)
        before = count_rows(app)
        other = shop.technician.post("/work-orders", json=shop.work_order(summary="Something else"), headers=headers)
        assert other.status_code == 422
        assert "Idempotency-Key" in other.json["errors"]
        assert count_rows(app) == before

    def test_the_same_key_while_the_first_is_running_is_a_conflict(self, app, shop):
        body = shop.work_order()
        with app.app_context():
            claim(shop.technician.user.id, "phone-7f3c", fingerprint(body))
            # The first request, still running: on PostgreSQL it holds its claim's row lock (SQLite goes by the claim's age).
            with db.engine.connect() as running_request:
                if running_request.dialect.name == "postgresql":
                    running_request.execute(select(IdempotencyKey).where(IdempotencyKey.key == "phone-7f3c").with_for_update())
                answer = shop.technician.post("/work-orders", json=body, headers={"Idempotency-Key": "phone-7f3c"})
        assert answer.status_code == 409
        assert count_rows(app)["work_orders"] == 0

    def test_keys_belong_to_their_user(self, shop, dispatcher_api):
        headers = {"Idempotency-Key": "shared-key"}
        shop.technician.post("/work-orders", json=shop.work_order(), headers=headers)
        body = shop.work_order(technician_id=shop.technician.user.id, parts=[], follow_up=None)
        answer = dispatcher_api.post("/work-orders", json=body, headers=headers)
        assert answer.status_code == 201
        assert answer.json["number"].endswith("-000002")

    def test_a_failed_request_can_be_sent_again_with_its_key(self, shop):
        headers = {"Idempotency-Key": "phone-7f3d"}
        too_many = shop.work_order(parts=[{"part_id": shop.fan_motor["id"], "quantity": 5}])
        assert shop.technician.post("/work-orders", json=too_many, headers=headers).status_code == 409
        shop.dispatcher.post("/stock/receipts", json={"part_id": shop.fan_motor["id"], "location_id": shop.van_id, "quantity": 2, "unit_cost": "96.40"})
        again = shop.technician.post("/work-orders", json=too_many, headers=headers)
        assert again.status_code == 201, again.json
