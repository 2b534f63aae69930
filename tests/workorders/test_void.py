"""Voiding a work order: the invoice is voided, the parts go back where they came from, or nothing changes."""
from decimal import Decimal

from sqlalchemy import select

from dispatch.extensions import db
from dispatch.inventory.models import StockMovement
from tests.conftest import csrf_token


def returns_of(app, number: str) -> list[tuple]:
    with app.app_context():
        return sorted(
            (movement.part_id, movement.location_id, movement.quantity, str(movement.unit_cost))
            for movement in db.session.scalars(select(StockMovement).where(StockMovement.kind == "return", StockMovement.reference == number))
        )


def test_voiding_returns_every_part_to_where_it_came_from_and_voids_the_invoice(app, shop):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    assert (shop.stock(shop.fan_motor, shop.van_id), shop.stock(shop.capacitor, shop.warehouse_id)) == (2, 3)

    answer = shop.dispatcher.post(f"/work-orders/{filed['id']}/void", json={"reason": "Filed against the wrong customer"})

    assert answer.status_code == 200
    assert (answer.json["status"], answer.json["void_reason"], answer.json["voided_by_id"]) == ("void", "Filed against the wrong customer", shop.dispatcher.user.id)
    assert answer.json["voided_at"] is not None
    assert (shop.stock(shop.fan_motor, shop.van_id), shop.stock(shop.capacitor, shop.warehouse_id)) == (3, 5)
    assert returns_of(app, filed["number"]) == sorted([
        (shop.fan_motor["id"], shop.van_id, 1, "96.40"), (shop.capacitor["id"], shop.warehouse_id, 2, "11.80"),
    ])
    invoice = shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json
    assert invoice["status"] == "void"
    # The technician still sees it, as void.
    assert shop.technician.get(f"/work-orders/{filed['id']}").json["status"] == "void"


def test_a_work_order_cannot_be_voided_twice(app, shop):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    shop.dispatcher.post(f"/work-orders/{filed['id']}/void", json={"reason": "Duplicate"})

    again = shop.owner.post(f"/work-orders/{filed['id']}/void", json={"reason": "Duplicate"})

    assert again.status_code == 409
    assert "already void" in again.json["message"]
    assert shop.stock(shop.fan_motor, shop.van_id) == 3  # returned once, not twice
    assert len(returns_of(app, filed["number"])) == 2


def test_an_invoice_with_a_payment_on_it_stops_the_void_and_nothing_changes(app, shop):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    shop.dispatcher.post(f"/invoices/{filed['invoice']['id']}/payments", json={"amount": "100.00", "method": "cash"})

    answer = shop.dispatcher.post(f"/work-orders/{filed['id']}/void", json={"reason": "Wrong job"})

    assert answer.status_code == 409
    assert "payments or credits" in answer.json["message"]
    assert shop.dispatcher.get(f"/work-orders/{filed['id']}").json["status"] == "invoiced"
    assert shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json["status"] == "partially_paid"
    assert (shop.stock(shop.fan_motor, shop.van_id), shop.stock(shop.capacitor, shop.warehouse_id)) == (2, 3)
    assert returns_of(app, filed["number"]) == []


def test_only_the_office_voids_and_a_reason_is_needed(app, shop):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json

    assert shop.technician.post(f"/work-orders/{filed['id']}/void", json={"reason": "Oops"}).status_code == 403
    blank = shop.dispatcher.post(f"/work-orders/{filed['id']}/void", json={"reason": "  "})
    assert blank.status_code == 422 and "reason" in blank.json["errors"]
    assert shop.dispatcher.post("/work-orders/999999/void", json={"reason": "Gone"}).status_code == 404
    assert shop.stock(shop.fan_motor, shop.van_id) == 2
    assert returns_of(app, filed["number"]) == []


def test_the_office_voids_from_the_work_order_page(app, shop, browser_as):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    office = browser_as(shop.dispatcher.user)
    page = office.get(f"/work-orders/{filed['id']}")
    assert "Void work order" in page.get_data(as_text=True)

    blank = office.post(f"/work-orders/{filed['id']}/void", data={"reason": "", "csrf_token": csrf_token(page)})
    done = office.post(f"/work-orders/{filed['id']}/void", data={"reason": "Customer cancelled", "csrf_token": csrf_token(page)}, follow_redirects=True)

    assert blank.status_code == 422 and "Nothing was changed" in blank.get_data(as_text=True)
    shown = done.get_data(as_text=True)
    assert f"Work order {filed['number']} is void; its parts are back on the shelf." in shown
    assert "Customer cancelled" in shown and "Void work order" not in shown
    assert shop.stock(shop.fan_motor, shop.van_id) == 3


def test_parts_used_per_technician_leave_out_void_work_orders(shop):
    kept = shop.technician.post("/work-orders", json=shop.work_order()).json
    voided = shop.technician.post("/work-orders", json=shop.work_order(parts=[{"part_id": shop.fan_motor["id"], "quantity": 1}])).json
    shop.dispatcher.post(f"/work-orders/{voided['id']}/void", json={"reason": "Test"})
    today = kept["filed_at"][:10]

    rows = shop.owner.get("/reports/parts-used", query_string={"by": "technician", "from": today, "to": today}).json
    months = shop.owner.get("/reports/parts-used", query_string={"by": "month", "from": today, "to": today}).json
    download = shop.owner.get("/reports/parts-used", query_string={"by": "customer", "from": today, "to": today, "format": "csv"})

    assert sorted((row["group"], row["sku"], row["quantity"], row["cost"], row["sales"]) for row in rows) == [
        (shop.technician.user.name, "CAP-45-5", 2, "23.60", "84.00"),
        (shop.technician.user.name, "FAN-MTR-5", 1, "96.40", "189.00"),
    ]
    assert {row["group"] for row in months} == {today[:7]}
    assert "Harbor View Dental,FAN-MTR-5" in download.get_data(as_text=True)
    assert shop.technician.get("/reports/parts-used", query_string={"by": "month", "from": today, "to": today}).status_code == 403


def test_voiding_reverses_the_pay_it_accrued_with_negative_lines(shop):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    assert filed["pay_accrued"] != "0.00"

    shop.dispatcher.post(f"/work-orders/{filed['id']}/void", json={"reason": "Never happened"})

    lines = [line for line in shop.owner.get("/pay-accruals").json if line["work_order_id"] == filed["id"]]
    earned = [line for line in lines if line["amount"][0] != "-"]
    reversed_ = [line for line in lines if line["amount"][0] == "-"]
    assert earned and len(reversed_) == len(earned)  # every line kept, each taken back by its own negative line
    assert sum(Decimal(line["amount"]) for line in lines) == 0
    # A second void is refused before it could take the pay back twice.
    assert shop.owner.post(f"/work-orders/{filed['id']}/void", json={"reason": "Again"}).status_code == 409
    assert len([line for line in shop.owner.get("/pay-accruals").json if line["work_order_id"] == filed["id"]]) == len(lines)
