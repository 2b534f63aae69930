"""Milestone billing: each milestone invoiced when reached, with its PO number, never beyond the agreed price."""
import pytest


@pytest.fixture
def plan(shop):
    body = {
        "title": "Rooftop unit replacement",
        "agreed_price": "12345.67",
        "milestones": [
            {"name": "Deposit", "percent": "40", "po_number": "PO-100"},
            {"name": "On completion", "percent": "60", "po_number": "PO-101"},
        ],
    }
    answer = shop.dispatcher.post(f"/customers/{shop.customer['id']}/billing-plans", json=body)
    assert answer.status_code == 201, answer.json
    return answer.json


def test_percentages_of_the_agreed_price_add_up_to_it_exactly(plan):
    assert [(milestone["name"], milestone["amount"]) for milestone in plan["milestones"]] == [
        ("Deposit", "4938.27"), ("On completion", "7407.40"),
    ]
    assert plan["invoiced"] == "0.00"


def test_each_milestone_is_invoiced_once_with_its_po_number(shop, plan):
    deposit, completion = plan["milestones"]
    answer = shop.dispatcher.post(f"/billing-plans/{plan['id']}/milestones/{deposit['id']}/invoice")
    assert answer.status_code == 201
    invoice = shop.dispatcher.get(f"/invoices/{answer.json['id']}").json
    assert invoice["po_number"] == "PO-100" and invoice["subtotal"] == "4938.27"
    assert invoice["lines"][0]["description"] == "Rooftop unit replacement: Deposit"
    assert shop.dispatcher.post(f"/billing-plans/{plan['id']}/milestones/{deposit['id']}/invoice").status_code == 409
    shop.dispatcher.post(f"/billing-plans/{plan['id']}/milestones/{completion['id']}/invoice")
    assert shop.dispatcher.get(f"/billing-plans/{plan['id']}").json["invoiced"] == "12345.67"


def test_milestones_beyond_the_agreed_price_are_refused(shop):
    body = {"title": "Duct work", "agreed_price": "1000.00",
            "milestones": [{"name": "Start", "amount": "600.00"}, {"name": "End", "percent": "50"}]}
    answer = shop.dispatcher.post(f"/customers/{shop.customer['id']}/billing-plans", json=body)
    assert answer.status_code == 422 and "1,100.00" in answer.json["errors"]["milestones"][0]
    both = {**body, "milestones": [{"name": "Start", "amount": "100.00", "percent": "10"}]}
    assert shop.dispatcher.post(f"/customers/{shop.customer['id']}/billing-plans", json=both).status_code == 422
    none = {**body, "milestones": []}
    assert shop.dispatcher.post(f"/customers/{shop.customer['id']}/billing-plans", json=none).status_code == 422


def test_a_milestone_of_another_plan_is_not_found(shop, plan):
    other = shop.dispatcher.post(f"/customers/{shop.customer['id']}/billing-plans", json={
        "title": "Other", "agreed_price": "100.00", "milestones": [{"name": "All", "percent": "100"}]}).json
    milestone_id = plan["milestones"][0]["id"]
    assert shop.dispatcher.post(f"/billing-plans/{other['id']}/milestones/{milestone_id}/invoice").status_code == 404
    assert shop.technician.post(f"/billing-plans/{plan['id']}/milestones/{milestone_id}/invoice").status_code == 403
