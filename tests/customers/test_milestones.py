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


def change(shop, plan, milestones):
    return shop.dispatcher.put(f"/billing-plans/{plan['id']}/milestones", json={"milestones": milestones})


def invoice(shop, plan, milestone):
    answer = shop.dispatcher.post(f"/billing-plans/{plan['id']}/milestones/{milestone['id']}/invoice")
    assert answer.status_code == 201, answer.json
    return answer.json


def test_milestones_not_yet_invoiced_are_changed_added_and_removed(shop, plan):
    deposit, completion = plan["milestones"]
    answer = change(shop, plan, [
        {"id": completion["id"], "name": "Unit set on the roof", "amount": "5000.00", "po_number": "PO-102"},
        {"name": "Commissioning", "percent": "20"},
    ])
    assert answer.status_code == 200, answer.json
    assert [(m["position"], m["name"], m["amount"], m["po_number"]) for m in answer.json["milestones"]] == [
        (1, "Unit set on the roof", "5000.00", "PO-102"), (2, "Commissioning", "2469.13", None),
    ]
    assert answer.json["milestones"][0]["id"] == completion["id"]
    assert deposit["id"] not in [m["id"] for m in shop.dispatcher.get(f"/billing-plans/{plan['id']}").json["milestones"]]


def test_invoiced_milestones_are_locked_and_stay_first(shop, plan):
    deposit, completion = plan["milestones"]
    billed = invoice(shop, plan, deposit)
    refused = change(shop, plan, [{"id": deposit["id"], "name": "Bigger deposit", "percent": "50"}])
    assert refused.status_code == 409 and "“Deposit”" in refused.json["message"]
    # The rest is split in two; percentages of the rest still bill exactly the agreed price.
    answer = change(shop, plan, [{"name": "Roof work", "percent": "30"}, {"id": completion["id"], "name": "On completion", "percent": "30"}])
    assert answer.status_code == 200, answer.json
    assert [(m["name"], m["amount"], m["invoice_id"]) for m in answer.json["milestones"]] == [
        ("Deposit", "4938.27", billed["id"]), ("Roof work", "3703.70", None), ("On completion", "3703.70", None),
    ]
    # Leaving every open milestone out removes them; the invoiced one stays.
    assert [m["name"] for m in change(shop, plan, []).json["milestones"]] == ["Deposit"]


def test_a_changed_plan_never_bills_beyond_the_agreed_price_and_a_refusal_changes_nothing(shop, plan):
    deposit, completion = plan["milestones"]
    invoice(shop, plan, deposit)
    too_much = change(shop, plan, [{"id": completion["id"], "name": "On completion", "amount": "7407.41"}])
    assert too_much.status_code == 422 and "12,345.68" in too_much.json["errors"]["milestones"][0]
    unknown = change(shop, plan, [{"id": 999999, "name": "Elsewhere", "amount": "1.00"}])
    assert unknown.status_code == 422
    assert change(shop, plan, [{"name": "Both", "amount": "1.00", "percent": "1"}]).status_code == 422
    assert shop.technician.put(f"/billing-plans/{plan['id']}/milestones", json={"milestones": []}).status_code == 403
    assert shop.dispatcher.put("/billing-plans/999999/milestones", json={"milestones": []}).status_code == 404
    assert shop.dispatcher.get(f"/billing-plans/{plan['id']}").json["milestones"][1] == completion


def test_a_plan_keeps_at_least_one_milestone(shop, plan):
    assert change(shop, plan, []).status_code == 422
    assert len(shop.dispatcher.get(f"/billing-plans/{plan['id']}").json["milestones"]) == 2
