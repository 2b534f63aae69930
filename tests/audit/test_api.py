"""The audit log: every change to money, stock and pay names who made it, and the owner alone reads it.

The shop's example work order (tests/shop.py) is invoiced at 538.40 and takes one fan motor from
the technician's van and two capacitors from the warehouse.
"""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dispatch.audit.models import AuditEntry
from dispatch.core.time import company_today
from dispatch.extensions import db
from dispatch.invoicing import collections
from tests.invoicing.test_collections import make_due, set_policy


def audit_log(shop, **filters) -> list[dict]:
    answer = shop.owner.get("/audit-log", query_string=filters)
    assert answer.status_code == 200, answer.json
    return answer.json


def actions(entries: list[dict]) -> list[tuple]:
    return [(entry["actor"], entry["kind"], entry["action"]) for entry in entries]


def count_entries(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEntry.id)))


@pytest.fixture
def filed(shop):
    answer = shop.technician.post("/work-orders", json=shop.work_order())
    assert answer.status_code == 201, answer.json
    return answer.json


def test_filing_logs_the_invoice_the_parts_taken_and_the_pay_in_the_technicians_name(shop, filed):
    technician = shop.technician.user
    entries = audit_log(shop, user_id=technician.id)
    assert {entry["actor"] for entry in entries} == {technician.name}
    invoice = next(entry for entry in entries if entry["action"] == "invoice_issued")
    assert (invoice["subject_type"], invoice["subject_id"]) == ("Invoice", filed["invoice"]["id"])
    assert invoice["changes"]["total"] == filed["invoice"]["total"] == "538.40"
    usage = sorted((entry["changes"]["part_id"], entry["changes"]["quantity"]) for entry in entries if entry["action"] == "stock_usage")
    assert usage == sorted([(shop.fan_motor["id"], -1), (shop.capacitor["id"], -2)])
    pay = [entry for entry in entries if entry["kind"] == "pay"]
    assert pay and all(entry["changes"]["technician_id"] == technician.id for entry in pay)
    assert sum(float(entry["changes"]["amount"]) for entry in pay) == pytest.approx(float(filed["pay_accrued"]))


def test_payments_reversals_credits_and_voids_name_the_dispatcher(shop, filed):
    invoice_id = filed["invoice"]["id"]
    payment = shop.dispatcher.post(f"/invoices/{invoice_id}/payments", json={"amount": "100.00", "method": "check"})
    assert payment.status_code == 201, payment.json
    assert shop.dispatcher.post(f"/payments/{payment.json['id']}/reversal", json={"reason": "Bounced"}).status_code == 200
    assert shop.dispatcher.post(f"/invoices/{invoice_id}/credit-notes", json={"amount": "38.40", "reason": "Goodwill"}).status_code == 201
    second = shop.technician.post("/work-orders", json=shop.work_order(parts=[])).json
    assert shop.dispatcher.post(f"/invoices/{second['invoice']['id']}/void", json={"reason": "Filed twice"}).status_code == 200

    money = audit_log(shop, kind="money", user_id=shop.dispatcher.user.id)
    name = shop.dispatcher.user.name
    # Newest first.
    assert actions(money) == [
        (name, "money", "invoice_voided"),
        (name, "money", "credit_note_issued"),
        (name, "money", "payment_reversed"),
        (name, "money", "payment_recorded"),
    ]
    voided, credited, reversed_, recorded = (entry["changes"] for entry in money)
    assert recorded["amount"] == "100.00" and recorded["invoice_id"] == invoice_id and recorded["method"] == "check"
    assert reversed_["amount"] == "-100.00"
    assert credited["total"] == "-38.40"
    assert voided["total"] == "-" + second["invoice"]["total"]


def test_stock_receipts_transfers_and_counts_name_who_moved_the_parts(shop):
    dispatcher = shop.dispatcher
    transfer = {"part_id": shop.capacitor["id"], "from_location_id": shop.warehouse_id, "to_location_id": shop.van_id, "quantity": 2}
    assert dispatcher.post("/stock/transfers", json=transfer).status_code == 201
    count = {"location_id": shop.van_id, "reason": "Monthly count", "counts": [{"part_id": shop.fan_motor["id"], "counted": 2}]}
    assert shop.technician.post("/stock/counts", json=count).status_code == 201

    stock = audit_log(shop, kind="stock")
    assert actions(stock)[:3] == [
        (shop.technician.user.name, "stock", "stock_adjustment"),
        (dispatcher.user.name, "stock", "stock_transfer_in"),
        (dispatcher.user.name, "stock", "stock_transfer_out"),
    ]
    assert [entry["changes"]["quantity"] for entry in stock[:3]] == [-1, 2, -2]
    # The shop's two receipts, by the dispatcher who received the parts.
    receipts = [entry for entry in stock if entry["action"] == "stock_receipt"]
    assert [(entry["actor"], entry["changes"]["quantity"]) for entry in receipts] == [(dispatcher.user.name, 5), (dispatcher.user.name, 3)]


def test_pay_rules_bonuses_and_payroll_runs_name_the_owner(shop, filed):
    owner, technician_id = shop.owner, shop.technician.user.id
    rule = {"effective_on": "2026-03-01", "hourly_rate": "34.00", "mileage_rate": "0.70"}
    assert owner.post(f"/technicians/{technician_id}/pay-rules", json=rule).status_code == 201
    bonus = {"technician_id": technician_id, "kind": "bonus", "amount": "50.00", "description": "Five-star review", "worked_on": "2026-03-04"}
    assert owner.post("/pay-adjustments", json=bonus).status_code == 201
    assert owner.post("/payroll-runs", json={"starts_on": "2026-03-02"}).status_code == 201

    pay = audit_log(shop, kind="pay", user_id=owner.user.id)
    assert actions(pay) == [(owner.user.name, "pay", action) for action in ("payroll_run", "pay_bonus", "pay_rule_added")]
    run, bonus_entry, rule_entry = (entry["changes"] for entry in pay)
    assert run["total"] == "50.00" and run["statements"] == 1
    assert bonus_entry["amount"] == "50.00" and bonus_entry["technician_id"] == technician_id
    assert rule_entry["hourly_rate"] == "34.00" and rule_entry["effective_on"] == "2026-03-01"


def test_expenses_are_logged(shop):
    expense = shop.owner.post("/expenses", json={"category": "rent", "amount": "1800.00", "spent_on": "2026-03-01", "is_monthly": True})
    assert expense.status_code == 201
    assert shop.owner.post(f"/expenses/{expense.json['id']}/end", json={"ends_on": "2026-06-30"}).status_code == 200
    ended, entered = audit_log(shop, kind="money")[:2]
    assert (entered["action"], entered["changes"]["amount"], entered["changes"]["category"]) == ("expense_recorded", "1800.00", "rent")
    assert (ended["action"], ended["changes"]["ends_on"]) == ("monthly_expense_ended", "2026-06-30")


def test_late_fees_charged_by_the_daily_round_are_the_systems(app, shop, filed):
    set_policy(shop, late_fee_flat="15.00", late_fee_period_days=30)
    with app.app_context():
        today = company_today()
    make_due(app, filed["invoice"]["id"], today - timedelta(days=30))
    with app.app_context():
        collections.apply_late_fees(today)

    latest = audit_log(shop, kind="money")[0]
    assert (latest["actor"], latest["user_id"], latest["action"]) == ("system", None, "invoice_issued")
    assert latest["changes"]["invoice_kind"] == "late_fee" and latest["changes"]["total"] == "15.00"


def test_a_refused_change_writes_no_entry(app, shop, filed):
    before = count_entries(app)
    too_much = shop.dispatcher.post(f"/invoices/{filed['invoice']['id']}/payments", json={"amount": "9999.00", "method": "cash"})
    assert too_much.status_code == 422
    not_enough = shop.technician.post("/work-orders", json=shop.work_order(parts=[{"part_id": shop.fan_motor["id"], "quantity": 50}]))
    assert not_enough.status_code == 409
    assert count_entries(app) == before


def test_the_log_filters_by_day_in_the_company_timezone_and_pages(app, shop, filed):
    with app.app_context():
        today = company_today()
    everything = audit_log(shop, page_size=200)
    assert audit_log(shop, **{"from": today.isoformat(), "to": today.isoformat(), "page_size": 200}) == everything
    assert audit_log(shop, to=(today - timedelta(days=1)).isoformat()) == []
    first, second = audit_log(shop, page_size=2), audit_log(shop, page_size=2, page=2)
    assert [entry["id"] for entry in first + second] == [entry["id"] for entry in everything[:4]]
    assert shop.owner.get("/audit-log", query_string={"page_size": 201}).status_code == 422
    assert shop.owner.get("/audit-log", query_string={"kind": "gossip"}).status_code == 422


def test_only_the_owner_reads_the_log(client, shop, filed):
    assert client.get("/api/v1/audit-log").status_code == 401
    for api in (shop.dispatcher, shop.technician):
        assert api.get("/audit-log").status_code == 403


def test_the_owners_page_shows_who_did_what(app, shop, filed, browser_as):
    owner_page = browser_as(shop.owner.user).get("/audit-log/?kind=stock")
    assert owner_page.status_code == 200
    assert "stock usage" in owner_page.text and shop.technician.user.name in owner_page.text
    assert "invoice issued" not in owner_page.text
    for user in (shop.dispatcher.user, shop.technician.user):
        assert browser_as(user).get("/audit-log/").status_code == 403
