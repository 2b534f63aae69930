"""Object-level authorisation on every API endpoint, for every role, walked from the served OpenAPI document.

Each role asks for technician A's objects: their work order and its invoice, appointment, pay,
time off, van, action step. The table says what each role must get. An endpoint missing from the
table fails the test, so a new endpoint cannot ship without deciding who may use it.
"""
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from dispatch.core.time import company_today
from tests.conftest import csrf_token
from tests.customers.test_contacts import contact
from tests.estimates.conftest import estimate_body

ROLES = ("anonymous", "technician", "other_technician", "dispatcher", "owner")
OK = "ok"  # authorised: anything but 401, 403, 404 (a 422 for the empty body, a 409 for the state)
A = 401  # every /api/v1 endpoint but logging in needs a token

# Who may use what: (anonymous, technician A, technician B on A's objects, dispatcher, owner).
STAFF = (A, 403, 403, OK, OK)
OWNER = (A, 403, 403, 403, OK)
EVERYONE = (A, OK, OK, OK, OK)
OWN = (A, OK, 404, OK, OK)  # a technician's own record; another technician is told it does not exist
OWN_PAY = (A, OK, 404, 403, OK)  # pay: the technician it belongs to and the owner

ACCESS = {
    ("POST", "/auth/tokens"): (OK, OK, OK, OK, OK),  # logging in
    ("DELETE", "/auth/tokens/current"): EVERYONE,
    ("GET", "/me"): EVERYONE,
    ("POST", "/users"): OWNER,
    ("GET", "/users"): OWNER,
    ("POST", "/customers"): STAFF,
    ("GET", "/customers"): STAFF,
    ("GET", "/customers/{customer_id}"): STAFF,
    ("GET", "/customers/{customer_id}/summary"): STAFF,
    ("GET", "/customers/{customer_id}/statement"): STAFF,
    ("POST", "/customers/{customer_id}/contacts"): STAFF,
    ("GET", "/customers/{customer_id}/contacts"): STAFF,
    ("POST", "/customers/{customer_id}/contacts/invoice"): STAFF,
    ("GET", "/action-steps"): EVERYONE,  # each their own list
    ("POST", "/action-steps/{step_id}/done"): OWN,
    ("POST", "/customers/{customer_id}/documents"): STAFF,
    ("GET", "/customers/{customer_id}/documents"): STAFF,
    ("GET", "/documents/{document_id}"): (A, 404, 404, OK, OK),
    ("GET", "/documents/{document_id}/reads"): OWNER,
    ("POST", "/customers/{customer_id}/close"): STAFF,
    ("POST", "/customers/{customer_id}/reopen"): STAFF,
    ("POST", "/customers/{customer_id}/support-blocks"): STAFF,
    ("GET", "/customers/{customer_id}/support-blocks"): STAFF,
    ("POST", "/customers/{customer_id}/billing-plans"): STAFF,
    ("GET", "/billing-plans/{plan_id}"): STAFF,
    ("PUT", "/billing-plans/{plan_id}/milestones"): STAFF,
    ("POST", "/billing-plans/{plan_id}/milestones/{milestone_id}/invoice"): STAFF,
    ("POST", "/parts"): STAFF,
    ("GET", "/parts"): EVERYONE,
    ("GET", "/parts/{part_id}"): EVERYONE,
    ("PATCH", "/parts/{part_id}"): STAFF,
    ("GET", "/stock-locations"): EVERYONE,
    ("GET", "/stock"): OWN,  # ?location_id= A's van
    ("POST", "/stock/receipts"): STAFF,
    ("POST", "/stock/transfers"): STAFF,
    # A's van named in B's count is "no such location", as one that does not exist would be.
    ("POST", "/stock/counts"): (A, OK, 422, OK, OK),
    ("POST", "/stock/targets"): STAFF,
    ("GET", "/stock/low"): STAFF,
    ("GET", "/stock/restock-suggestions"): STAFF,
    ("POST", "/stock-locations/{van_id}/restock"): STAFF,
    ("GET", "/stock/valuation"): STAFF,
    ("GET", "/stock/movements"): STAFF,
    ("GET", "/settings"): OWNER,
    ("PATCH", "/settings"): OWNER,
    ("POST", "/appointments"): STAFF,
    ("GET", "/appointments"): OWN,  # ?technician_id=A
    ("GET", "/appointments/{appointment_id}"): OWN,
    ("PATCH", "/appointments/{appointment_id}"): STAFF,
    ("POST", "/appointments/{appointment_id}/cancel"): STAFF,
    ("POST", "/appointments/{appointment_id}/status"): OWN,
    ("GET", "/appointments/{appointment_id}/history"): OWN,
    ("GET", "/technicians/{technician_id}/working-hours"): OWN,
    ("PUT", "/technicians/{technician_id}/working-hours"): STAFF,
    ("GET", "/technicians/{technician_id}/time-off"): OWN,
    ("POST", "/technicians/{technician_id}/time-off"): STAFF,
    ("DELETE", "/time-off/{time_off_id}"): STAFF,
    ("GET", "/scheduling/first-free-slot"): STAFF,
    ("GET", "/scheduling/free-technicians"): STAFF,
    ("POST", "/technicians/{technician_id}/calendar-feed"): OWN,
    ("POST", "/maintenance-plans"): STAFF,
    ("GET", "/maintenance-plans"): STAFF,
    ("GET", "/maintenance-plans/{plan_id}"): STAFF,
    ("PATCH", "/maintenance-plans/{plan_id}"): STAFF,
    ("POST", "/maintenance-plans/{plan_id}/deactivate"): STAFF,
    ("POST", "/work-orders"): (A, OK, 403, OK, OK),  # technicians file for themselves only
    ("GET", "/work-orders/{work_order_id}"): OWN,
    ("POST", "/work-orders/{work_order_id}/void"): STAFF,
    ("GET", "/reports/parts-used"): STAFF,
    ("GET", "/invoices"): STAFF,
    ("GET", "/invoices/{invoice_id}"): STAFF,
    ("GET", "/invoices/{invoice_id}/pdf"): STAFF,
    ("POST", "/invoices/{invoice_id}/send"): STAFF,
    ("POST", "/invoices/{invoice_id}/payments"): STAFF,
    ("POST", "/payments/{payment_id}/reversal"): STAFF,
    ("POST", "/invoices/{invoice_id}/void"): STAFF,
    ("POST", "/invoices/{invoice_id}/credit-notes"): STAFF,
    ("POST", "/invoices/{invoice_id}/disputes"): STAFF,
    ("POST", "/disputes/{dispute_id}/notes"): STAFF,
    ("POST", "/disputes/{dispute_id}/resolution"): STAFF,
    ("POST", "/estimates"): STAFF,
    ("GET", "/estimates/{estimate_id}"): STAFF,
    ("POST", "/estimates/{estimate_id}/send"): STAFF,
    ("GET", "/pay-accruals"): OWN_PAY,  # ?technician_id=A
    ("GET", "/pay-statements"): OWN_PAY,  # ?technician_id=A
    ("GET", "/pay-statements/{statement_id}/pdf"): OWN_PAY,
    ("GET", "/technicians/{technician_id}/pay-rules"): OWNER,
    ("POST", "/technicians/{technician_id}/pay-rules"): OWNER,
    ("POST", "/pay-adjustments"): OWNER,
    ("GET", "/payroll-runs"): OWNER,
    ("POST", "/payroll-runs"): OWNER,
    ("GET", "/payroll-runs/{run_id}"): OWNER,
    ("GET", "/payroll-runs/{run_id}/export"): OWNER,
    ("POST", "/reports/monthly-profit"): OWNER,
    ("GET", "/reports/monthly-profit/{month}"): OWNER,
    ("GET", "/reports/accounting-export"): OWNER,
    ("GET", "/reports/mileage"): STAFF,
    ("POST", "/expenses"): OWNER,
    ("GET", "/expenses"): OWNER,
    ("POST", "/expenses/{expense_id}/end"): OWNER,
    ("GET", "/expenses/{expense_id}/receipt"): OWNER,
    ("POST", "/vehicles"): STAFF,
    ("GET", "/vehicles"): EVERYONE,
    ("POST", "/vehicles/{vehicle_id}/retire"): STAFF,
    ("GET", "/audit-log"): OWNER,
}


@dataclass
class World:
    clients: dict  # role → ApiClient, or the bare test client for "anonymous"
    ids: dict  # path parameter → the id of technician A's object (or the company's)
    work_order: dict  # a work order technician A could file


@pytest.fixture
def world(app, shop, api_as, make_user, browser_as, jobs_done) -> World:
    """Technician A (the shop's technician) with a filed, paid-in-part, disputed work order, an appointment,
    pay on a payroll run, time off, a calendar feed, an action step; and the company's other records."""
    dispatcher, owner, technician = shop.dispatcher, shop.owner, shop.technician
    a = technician.user.id
    filed = technician.post("/work-orders", json=shop.work_order()).json
    invoice_id = filed["invoice"]["id"]
    payment = dispatcher.post(f"/invoices/{invoice_id}/payments", json={"amount": "10.00", "method": "cash"}).json
    dispute = dispatcher.post(f"/invoices/{invoice_id}/disputes", json={"reason": "Charged twice"}).json
    bonus = {"technician_id": a, "kind": "bonus", "amount": "50.00", "description": "Review", "worked_on": "2026-03-04"}
    assert owner.post("/pay-adjustments", json=bonus).status_code == 201
    run = owner.post("/payroll-runs", json={"starts_on": "2026-03-02"}).json
    assert owner.post("/reports/monthly-profit", json={"month": "2026-03"}).status_code == 202
    starts = datetime.fromisoformat(filed["follow_up_appointment"]["starts_at"]) + timedelta(days=30)
    off = {"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat(), "reason": "Dentist"}
    time_off = dispatcher.post(f"/technicians/{a}/time-off", json=off).json
    expense = _expense_with_receipt(browser_as(owner.user), owner)
    customer_id = shop.customer["id"]
    step = {"kind": "return_call", "due_on": "2026-11-25", "assignee_id": a, "description": "Call back"}
    logged = dispatcher.post(f"/customers/{customer_id}/contacts", json=contact(action_steps=[step])).json
    document = dispatcher.post(
        f"/customers/{customer_id}/documents", content_type="multipart/form-data",
        data={"title": "Report", "is_confidential": "false", "file": (io.BytesIO(b"%PDF-1.4\n"), "report.pdf")},
    ).json
    milestones = [{"name": "Deposit", "percent": "40", "po_number": "PO-1"}, {"name": "Rest", "percent": "60", "po_number": "PO-2"}]
    plan = dispatcher.post(f"/customers/{customer_id}/billing-plans", json={"title": "Unit", "agreed_price": "1000.00", "milestones": milestones}).json
    maintenance = dispatcher.post("/maintenance-plans", json={"customer_id": customer_id, "every_months": 3, "starts_on": "2031-03-03", "visit_time": "09:00", "minutes": 90}).json
    with app.app_context():
        today = company_today()
    estimate = dispatcher.post("/estimates", json=estimate_body(shop, today)).json
    vehicle = dispatcher.post("/vehicles", json={"name": "Van 3"}).json
    jobs_done()
    statement_id = next(statement["id"] for statement in run["statements"] if statement["technician_id"] == a)
    ids = {
        "customer_id": customer_id, "part_id": shop.fan_motor["id"], "van_id": shop.van_id, "technician_id": a,
        "appointment_id": filed["follow_up_appointment"]["id"], "time_off_id": time_off["id"], "plan_id": maintenance["id"],
        "work_order_id": filed["id"], "invoice_id": invoice_id, "payment_id": payment["id"], "dispute_id": dispute["id"],
        "run_id": run["id"], "statement_id": statement_id, "month": "2026-03", "expense_id": expense["id"],
        "estimate_id": estimate["id"], "step_id": logged["action_steps"][0]["id"], "document_id": document["id"],
        "billing_plan_id": plan["id"], "milestone_id": plan["milestones"][0]["id"], "vehicle_id": vehicle["id"],
    }
    clients = {
        "anonymous": app.test_client(), "technician": technician, "other_technician": api_as(make_user("technician")),
        "dispatcher": dispatcher, "owner": owner,
    }
    return World(clients, ids, shop.work_order())


def _expense_with_receipt(browser, owner) -> dict:
    """Receipts are uploaded on the owner's page only."""
    page = browser.get("/reports/expenses?month=2026-03")
    form = {"csrf_token": csrf_token(page), "category": "rent", "amount": "900.00", "spent_on": "2026-03-01",
            "receipt": (io.BytesIO(b"%PDF-1.4\n"), "receipt.pdf")}
    assert browser.post("/reports/expenses?month=2026-03", data=form, content_type="multipart/form-data").status_code == 302
    return next(expense for expense in owner.get("/expenses", query_string={"month": "2026-03"}).json if expense["has_receipt"])


def operations(client) -> list[tuple[str, str]]:
    """(METHOD, path) of every operation in the served OpenAPI document, the token's revocation last."""
    document = client.get("/api/v1/openapi.json").json
    found = [(method.upper(), path.removeprefix("/api/v1")) for path, item in document["paths"].items() for method in item
             if method in ("get", "post", "put", "patch", "delete")]
    return sorted(found, key=lambda operation: operation == ("DELETE", "/auth/tokens/current"))


def concrete(path: str, ids: dict) -> str:
    if path.startswith("/billing-plans/"):
        ids = {**ids, "plan_id": ids["billing_plan_id"]}
    return re.sub(r"\{(\w+)\}", lambda match: str(ids[match.group(1)]), path)


def request_for(world: World, method: str, path: str) -> dict:
    """The query and body of the probe: technician A's records named where a filter or body can name them,
    and a valid body where an empty one would be refused (422) before anyone's right to the record is looked at."""
    ids = world.ids
    queries = {
        ("GET", "/appointments"): {"technician_id": ids["technician_id"]},
        ("GET", "/pay-accruals"): {"technician_id": ids["technician_id"]},
        ("GET", "/pay-statements"): {"technician_id": ids["technician_id"]},
        ("GET", "/stock"): {"location_id": ids["van_id"]},
    }
    bodies = {
        ("POST", "/work-orders"): {**world.work_order, "technician_id": ids["technician_id"]},
        ("POST", "/stock/counts"): {"location_id": ids["van_id"], "reason": "Count", "counts": [{"part_id": ids["part_id"], "counted": 2}]},
        ("POST", "/appointments/{appointment_id}/status"): {"status": "en_route"},
    }
    request = {"query_string": queries.get((method, path))}
    if method != "GET":
        request["json"] = bodies.get((method, path), {})
    return request


def ask(world: World, role: str, method: str, path: str):
    client, url = world.clients[role], concrete(path, world.ids)
    if role == "anonymous":
        return client.open("/api/v1" + url, method=method, **request_for(world, method, path))
    return client._call(method, url, **request_for(world, method, path))


def answers_as_expected(expected, status: int) -> bool:
    if expected == OK:
        return status not in (401, 403, 404) and status < 500
    return status == expected


def test_every_endpoint_has_a_row_in_the_table(client):
    served = operations(client)
    assert len(served) > 100
    assert [operation for operation in served if operation not in ACCESS] == [], "say who may use the new endpoint in ACCESS"
    assert [operation for operation in ACCESS if operation not in served] == [], "this endpoint is gone: drop its row"


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_answers_each_role_as_the_table_says(world, role):
    column = ROLES.index(role)
    wrong = []
    for method, path in operations(world.clients["anonymous"]):
        expected = ACCESS.get((method, path), ("no row",) * len(ROLES))[column]
        status = ask(world, role, method, path).status_code
        if not answers_as_expected(expected, status):
            wrong.append((method, path, f"expected {expected}, got {status}"))
    assert wrong == []
