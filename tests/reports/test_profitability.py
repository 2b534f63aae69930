"""Profit per customer, technician and kind of labour, and accounts receivable by age, against sums worked out
here from the records the API shows (invoices, pay accruals, the parts' costs), on generated work."""
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from dispatch.extensions import db
from dispatch.invoicing.models import Invoice
from dispatch.invoicing.statements import receivables_by_age
from dispatch.reports import profitability
from dispatch.reports import service as reports
from dispatch.workorders.models import WorkOrder
from tests.reports.test_api import LAST_MONTH, LAST_MONTH_DAY, THIS_MONTH, TODAY, move_to

LABOUR_KINDS = {"On-site labour": "onsite", "Remote support": "remote", "Phone support": "phone", "Travel time": "travel"}
ZERO = Decimal("0.00")


class Books:
    """What the records say, summed here in Python: the figures the reports must reproduce."""

    def __init__(self):
        self.customer = defaultdict(lambda: defaultdict(Decimal))
        self.technician = defaultdict(lambda: defaultdict(Decimal))
        self.kind = defaultdict(lambda: defaultdict(Decimal))

    def add(self, filed: dict, invoice: dict, labour_cost: Decimal, parts_cost: Decimal) -> None:
        for key, rows in ((filed["customer_id"], self.customer), (filed["technician_id"], self.technician)):
            row = rows[key]
            row["revenue"] += Decimal(invoice["subtotal"])
            row["minutes"] += sum(entry["minutes"] for entry in filed["labor"])
            row["labour_cost"] += labour_cost
            row["parts_cost"] += parts_cost
            row["work_orders"] += 1
        for entry in filed["labor"]:
            self.kind[entry["kind"]]["minutes"] += entry["minutes"]
        for line in invoice["lines"]:
            if line["kind"] == "labor":
                self.kind[LABOUR_KINDS[line["description"]]]["billed"] += Decimal(line["amount"])


def reported(row: profitability.Profitability) -> dict:
    return {
        "revenue": row.revenue,
        "minutes": Decimal(sum(row.minutes_by_kind.values())),
        "labour_cost": row.labour_cost,
        "parts_cost": row.parts_cost,
        "work_orders": Decimal(row.work_orders),
    }


@pytest.fixture
def busy_month(app, shop, make_user, make_customer, make_part, api_as):
    """Twenty work orders, seeded at random over two customers, two technicians and every kind of labour;
    the first five are moved to last month."""
    chance = random.Random(20261122)
    second_technician = api_as(make_user("technician", hourly_rate=Decimal("27.50")))
    customers = [shop.customer["id"], make_customer(name="Bayside Bakery")["id"]]
    filter_part = make_part(stock=500, location_id=shop.warehouse_id, sku="FLT-20", unit_price="18.00", unit_cost="6.35")
    this_month, last_month = Books(), Books()
    for number in range(20):
        technician = chance.choice([shop.technician, second_technician])
        body = shop.work_order(
            customer_id=chance.choice(customers),
            labor=[
                {"kind": kind, "minutes": chance.randint(5, 240), "is_billable": chance.random() < 0.85}
                for kind in chance.sample(sorted(LABOUR_KINDS.values()), chance.randint(1, 3))
            ],
            parts=[{"part_id": filter_part["id"], "quantity": chance.randint(1, 4), "location_id": shop.warehouse_id}],
            mileage=[],
            follow_up=None,
        )
        filed = technician.post("/work-orders", json=body)
        assert filed.status_code == 201, filed.json
        filed = filed.json
        invoice = shop.dispatcher.get(f"/invoices/{filed['invoice_id']}").json
        if number < 5:
            move_to(app, filed["id"], LAST_MONTH_DAY)
        accruals = shop.owner.get("/pay-accruals", query_string={"technician_id": filed["technician_id"]}).json
        labour_cost = sum((Decimal(a["amount"]) for a in accruals if a["work_order_id"] == filed["id"] and a["kind"] != "mileage"), ZERO)
        parts_cost = sum((part["quantity"] * Decimal("6.35") for part in filed["parts"]), ZERO)
        (last_month if number < 5 else this_month).add(filed, invoice, labour_cost, parts_cost)
    return this_month, last_month


def test_per_customer_and_per_technician_figures_match_the_records(app_context, busy_month):
    this_month, last_month = busy_month
    for month, books in ((THIS_MONTH, this_month), (LAST_MONTH, last_month)):
        assert {row.id: reported(row) for row in profitability.by_customer(month)} == {
            key: {name: row[name] for name in ("revenue", "minutes", "labour_cost", "parts_cost", "work_orders")} for key, row in books.customer.items()
        }
        assert {row.id: reported(row) for row in profitability.by_technician(month)} == {
            key: {name: row[name] for name in ("revenue", "minutes", "labour_cost", "parts_cost", "work_orders")} for key, row in books.technician.items()
        }


def test_the_breakdowns_add_up_to_the_months_profit(app_context, busy_month):
    customers = profitability.by_customer(THIS_MONTH)
    figures = reports.profit_figures(THIS_MONTH)
    assert sum((row.revenue for row in customers), ZERO) == figures["revenue"]
    assert sum((row.parts_cost for row in customers), ZERO) == figures["parts_cost"]
    assert sum((row.labour_cost for row in customers), ZERO) == figures["labor_cost"]


def test_customers_come_best_margin_first_with_margin_per_hour(app_context, busy_month):
    customers = profitability.by_customer(THIS_MONTH)
    assert [row.margin for row in customers] == sorted((row.margin for row in customers), reverse=True)
    for row in customers:
        assert row.margin == row.revenue - row.parts_cost - row.labour_cost
        assert row.margin_per_hour == (row.margin / row.hours).quantize(Decimal("0.01"))


def test_labour_by_kind_matches_the_invoice_lines(app_context, busy_month):
    this_month, _ = busy_month
    assert {row.kind: (Decimal(row.minutes), row.billed) for row in profitability.by_labour_kind(THIS_MONTH)} == {
        kind: (row["minutes"], row["billed"]) for kind, row in this_month.kind.items()
    }


def test_a_void_in_a_later_month_comes_off_that_month_and_leaves_the_first_alone(app, app_context, shop):
    filed = shop.technician.post("/work-orders", json=shop.work_order(follow_up=None)).json
    move_to(app, filed["id"], LAST_MONTH_DAY)
    before = reports.profit_figures(LAST_MONTH)["revenue"]
    assert shop.dispatcher.post(f"/invoices/{filed['invoice_id']}/void", json={"reason": "Billed the wrong customer"}).status_code == 200
    db.session.expire_all()
    assert reports.profit_figures(LAST_MONTH)["revenue"] == before == Decimal("515.88")
    assert reports.profit_figures(THIS_MONTH)["revenue"] == Decimal("-515.88")


def test_receivables_by_age(app, app_context, shop, dispatcher_api):
    """Five invoices due today, and 1, 31, 61 and 91 days ago: one in each bucket; a paid one in none."""
    ages = {"current": 0, "1-30": 1, "31-60": 31, "61-90": 61, "90+": 91}
    invoices = {}
    for age, days_late in ages.items():
        filed = shop.technician.post("/work-orders", json=shop.work_order(parts=[], mileage=[], follow_up=None)).json
        invoice = db.session.get(Invoice, filed["invoice_id"])
        invoice.issue_date, invoice.due_date = TODAY - timedelta(days=days_late + 15), TODAY - timedelta(days=days_late)
        invoices[age] = invoice
    db.session.commit()
    paid = shop.technician.post("/work-orders", json=shop.work_order(parts=[], mileage=[], follow_up=None)).json
    dispatcher_api.post(f"/invoices/{paid['invoice_id']}/payments", json={"amount": paid["invoice"]["total"], "method": "card"})
    partly = invoices["31-60"]
    dispatcher_api.post(f"/invoices/{partly.id}/payments", json={"amount": "100.00", "method": "cash"})
    db.session.expire_all()

    owed = receivables_by_age(TODAY)
    assert owed == {age: invoice.balance_due for age, invoice in invoices.items()}
    assert owed["31-60"] == invoices["31-60"].total - Decimal("100.00")


def test_the_invoice_list_shows_one_age_or_one_month(app, shop, browser_as):
    filed = shop.technician.post("/work-orders", json=shop.work_order(parts=[], mileage=[], follow_up=None)).json
    old = shop.technician.post("/work-orders", json=shop.work_order(parts=[], mileage=[], follow_up=None)).json
    with app.app_context():
        invoice = db.session.get(Invoice, old["invoice_id"])
        invoice.issue_date, invoice.due_date = TODAY - timedelta(days=70), TODAY - timedelta(days=40)
        db.session.commit()
        numbers = {row.id: row.number for row in db.session.scalars(select(Invoice))}
    office = browser_as("dispatcher")
    aged = office.get("/invoices/?age=31-60").get_data(as_text=True)
    assert numbers[old["invoice_id"]] in aged and numbers[filed["invoice_id"]] not in aged
    this_month = office.get(f"/invoices/?issued={THIS_MONTH}").get_data(as_text=True)
    assert numbers[filed["invoice_id"]] in this_month and numbers[old["invoice_id"]] not in this_month
    assert office.get("/invoices/?age=forever").status_code == 422


def test_the_dashboard_shows_the_month_and_links_to_its_records(app, shop, browser_as):
    shop.technician.post("/work-orders", json=shop.work_order(follow_up=None))
    page = browser_as("owner").get("/reports/dashboard")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'href="/invoices/?issued={THIS_MONTH}">515.88</a>' in text
    assert text.count("<rect class=\"profit\"") + text.count("<rect class=\"loss\"") == 12
    assert "Harbor View Dental" in text
    assert f"/work-orders/parts-used?by=month&amp;from={THIS_MONTH}-01" in text


@pytest.mark.parametrize("role", ["dispatcher", "technician"])
def test_only_the_owner_has_a_dashboard(browser_as, role):
    assert browser_as(role).get("/reports/dashboard").status_code == 403


def test_filed_at_is_what_places_work_in_a_month(app, app_context, shop):
    """Sanity for the fixture above: a moved work order is last month's, by its filing time."""
    filed = shop.technician.post("/work-orders", json=shop.work_order(follow_up=None)).json
    move_to(app, filed["id"], LAST_MONTH_DAY)
    assert db.session.get(WorkOrder, filed["id"]).filed_at < datetime.now(UTC).replace(day=1)


def test_a_work_order_voided_next_month_gives_its_parts_cost_back_in_that_month(app, app_context, shop):
    filed = shop.technician.post("/work-orders", json=shop.work_order(follow_up=None)).json
    move_to(app, filed["id"], LAST_MONTH_DAY)
    assert shop.dispatcher.post(f"/work-orders/{filed['id']}/void", json={"reason": "Filed for the wrong customer"}).status_code == 200
    db.session.expire_all()
    assert reports.profit_figures(LAST_MONTH)["parts_cost"] == Decimal("120.00")  # as reported then
    assert reports.profit_figures(THIS_MONTH)["parts_cost"] == Decimal("-120.00")
    assert reports.profit_figures(THIS_MONTH)["revenue"] == Decimal("-515.88")


def test_parts_by_category(app, app_context, shop, make_part):
    """Two filters (18.00, cost 6.35) and a coil (240.00, cost 151.20) sold this month; one more coil last month,
    and a work order voided this month gives its parts back."""
    filters = make_part(stock=20, location_id=shop.warehouse_id, sku="FLT-20", unit_price="18.00", unit_cost="6.35", category="Filters")
    coil = make_part(stock=5, location_id=shop.warehouse_id, sku="COIL-3", unit_price="240.00", unit_cost="151.20", category="Coils")

    def file(*parts):
        used = [{"part_id": part["id"], "quantity": quantity, "location_id": shop.warehouse_id} for part, quantity in parts]
        answer = shop.technician.post("/work-orders", json=shop.work_order(parts=used, follow_up=None))
        assert answer.status_code == 201, answer.json
        return answer.json

    file((filters, 2), (coil, 1))
    move_to(app, file((coil, 1))["id"], LAST_MONTH_DAY)
    voided = file((filters, 5))
    assert shop.dispatcher.post(f"/work-orders/{voided['id']}/void", json={"reason": "Duplicate"}).status_code == 200

    rows = {row.category: (row.quantity, row.sales, row.cost, row.margin) for row in profitability.by_part_category(THIS_MONTH)}
    assert rows == {
        "Coils": (1, Decimal("240.00"), Decimal("151.20"), Decimal("88.80")),
        "Filters": (2, Decimal("36.00"), Decimal("12.70"), Decimal("23.30")),
    }
    assert [row.category for row in profitability.by_part_category(THIS_MONTH)] == ["Coils", "Filters"]  # best margin first


def test_a_credit_note_next_month_comes_off_next_month(app, app_context, shop):
    filed = shop.technician.post("/work-orders", json=shop.work_order(follow_up=None)).json
    move_to(app, filed["id"], LAST_MONTH_DAY)
    # 107.68 of a 538.40 invoice taxed at 8.25 %: 4.50 of it is tax, 103.18 comes off revenue.
    assert shop.dispatcher.post(f"/invoices/{filed['invoice_id']}/credit-notes", json={"amount": "107.68", "reason": "Warranty"}).status_code == 201
    db.session.expire_all()
    assert reports.profit_figures(LAST_MONTH)["revenue"] == Decimal("515.88")
    assert reports.profit_figures(THIS_MONTH)["revenue"] == Decimal("-103.18")
    [customer] = profitability.by_customer(THIS_MONTH)
    assert customer.revenue == Decimal("-103.18")
