"""Invoice totals under generated work orders, payments and credits (hypothesis), through the API and the database.

What a customer checks on their invoice: each line is quantity × price to the cent, the lines add up to the
subtotal, tax is the rate on the taxable lines rounded once, total = subtotal + tax, and the balance is
total − paid − credited − early-payment discount, never below zero.
"""
from decimal import Decimal

from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from sqlalchemy import select

from dispatch.core.money import to_cents
from dispatch.extensions import db
from dispatch.invoicing.models import InvoiceLine

# Each example files a real work order: few examples, no deadline (PostgreSQL, a loaded CI machine), and no
# shrinking, which would file hundreds more; the failing example is printed as found.
through_the_api = settings(
    max_examples=15, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("4999.99"), places=2)
rates = st.decimals(min_value=0, max_value=Decimal("99.999"), places=3)
labour = st.lists(st.fixed_dictionaries({"kind": st.sampled_from(["onsite", "travel"]), "minutes": st.integers(1, 600)}), max_size=4)
parts = st.lists(st.tuples(prices, st.integers(1, 40), st.booleans()), max_size=4)
miles = st.lists(st.decimals(min_value=Decimal("0.1"), max_value=Decimal("400"), places=1).map(lambda m: {"miles": str(m)}), max_size=2)


def taxable_by_line(app, invoice_id: int) -> list[bool]:
    with app.app_context():
        return list(db.session.scalars(select(InvoiceLine.is_taxable).where(InvoiceLine.invoice_id == invoice_id).order_by(InvoiceLine.position)))


def file_invoice(shop, make_part, tax_rate, onsite_rate, labour_entries, part_lines, mileage) -> dict:
    settings_changed = {"tax_rate_percent": str(tax_rate), "labor_rate_onsite": str(onsite_rate), "mileage_rate": "0.67"}
    assert shop.owner.patch("/settings", json=settings_changed).status_code == 200
    used = []
    for unit_price, quantity, is_taxable in part_lines:
        part = make_part(stock=quantity, location_id=shop.warehouse_id, unit_price=str(unit_price), is_taxable=is_taxable)
        used.append({"part_id": part["id"], "quantity": quantity, "location_id": shop.warehouse_id})
    if not (labour_entries or used or mileage):
        labour_entries = [{"kind": "onsite", "minutes": 60}]
    body = shop.work_order(labor=labour_entries, parts=used, mileage=mileage)
    body.pop("follow_up")
    filed = shop.dispatcher.post("/work-orders", json={**body, "technician_id": shop.technician.user.id})
    assert filed.status_code == 201, filed.json
    return shop.dispatcher.get(f"/invoices/{filed.json['invoice']['id']}").json


@through_the_api
@given(rates, prices, labour, parts, miles)
def test_lines_subtotal_tax_and_total_add_up(app, shop, make_part, tax_rate, onsite_rate, labour_entries, part_lines, mileage):
    invoice = file_invoice(shop, make_part, tax_rate, onsite_rate, labour_entries, part_lines, mileage)
    money = {name: Decimal(invoice[name]) for name in ("subtotal", "tax", "total", "balance_due")}

    for line in invoice["lines"]:
        assert Decimal(line["amount"]) == to_cents(Decimal(line["quantity"]) * Decimal(line["unit_price"])), line
    assert sum(Decimal(line["amount"]) for line in invoice["lines"]) == money["subtotal"]
    taxable = sum(
        Decimal(line["amount"]) for line, is_taxable in zip(invoice["lines"], taxable_by_line(app, invoice["id"]), strict=True)
        if is_taxable
    )
    assert money["tax"] == to_cents(taxable * tax_rate / 100)
    assert money["total"] == money["subtotal"] + money["tax"]
    assert money["balance_due"] == money["total"]
    assert all(len(invoice[name].split(".")[1]) == 2 for name in ("subtotal", "tax", "total", "balance_due"))


@through_the_api
@given(prices, parts, st.lists(st.integers(1, 100), min_size=1, max_size=3), st.integers(0, 100))
def test_the_balance_is_total_less_payments_and_credits(shop, make_part, onsite_rate, part_lines, payment_shares, credit_share):
    invoice = file_invoice(shop, make_part, Decimal("8.25"), onsite_rate, [], part_lines, [])
    invoice_url = f"/invoices/{invoice['id']}"
    total = Decimal(invoice["total"])
    credit = to_cents(total * credit_share / 200)  # up to half of it
    if credit:
        assert shop.dispatcher.post(f"{invoice_url}/credit-notes", json={"amount": str(credit), "reason": "Goodwill"}).status_code == 201
    paid = Decimal("0.00")
    for share in payment_shares:
        amount = min(to_cents((total - credit) * share / 100), total - credit - paid)
        if amount <= 0:
            continue
        answer = shop.dispatcher.post(f"{invoice_url}/payments", json={"amount": str(amount), "method": "card"})
        assert answer.status_code == 201, answer.json
        paid += amount

    now = shop.dispatcher.get(invoice_url).json
    assert Decimal(now["amount_paid"]) == paid
    assert Decimal(now["amount_credited"]) == credit
    assert Decimal(now["balance_due"]) == total - paid - credit >= 0
    if total - paid - credit == 0:
        assert now["status"] == "paid"
    else:
        # Unpaid: issued, or sent once the background job has emailed it.
        assert now["status"] in (("partially_paid",) if paid else ("issued", "sent"))
    overpaid = shop.dispatcher.post(f"{invoice_url}/payments", json={"amount": str(total - paid - credit + Decimal("0.01")), "method": "cash"})
    assert overpaid.status_code in (409, 422)
    assert shop.dispatcher.get(invoice_url).json["balance_due"] == now["balance_due"]


@through_the_api
@given(prices, st.decimals(min_value=Decimal("0.001"), max_value=Decimal("15"), places=3), st.integers(0, 100))
def test_an_early_payment_short_by_at_most_the_discount_settles_the_invoice(shop, make_part, onsite_rate, discount_percent, short_share):
    policy = {"early_payment_discount_percent": str(discount_percent), "early_payment_discount_days": 10}
    assert shop.owner.patch("/settings", json=policy).status_code == 200
    invoice = file_invoice(shop, make_part, Decimal("8.25"), onsite_rate, [], [], [])
    total = Decimal(invoice["total"])
    allowed = to_cents(total * discount_percent / 100)
    short = to_cents(allowed * short_share / 100)
    paid = total - short
    answer = shop.dispatcher.post(f"/invoices/{invoice['id']}/payments", json={"amount": str(paid), "method": "card"})
    assert answer.status_code == 201, answer.json

    now = shop.dispatcher.get(f"/invoices/{invoice['id']}").json
    assert Decimal(now["discount_taken"]) == short
    assert Decimal(now["balance_due"]) == total - paid - short == 0
    assert now["status"] == "paid"
