"""Getting paid: payments and reversals, voids, credit notes, disputes, the statement."""
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dispatch.company.service import company_settings
from dispatch.core.time import company_today
from dispatch.extensions import db
from dispatch.invoicing.models import CreditNote, Invoice, Payment

@pytest.fixture
def invoice(shop, jobs_done) -> dict:
    """The API.md example job's invoice: total 538.40, sent to the customer."""
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    jobs_done()
    return shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json


def pay(shop, invoice, amount, **extra):
    return shop.dispatcher.post(f"/invoices/{invoice['id']}/payments", json={"amount": amount, "method": "check", **extra})


def current(shop, invoice) -> dict:
    return shop.dispatcher.get(f"/invoices/{invoice['id']}").json


def test_a_partial_then_a_final_payment(shop, invoice):
    assert invoice["status"] == "sent"
    first = pay(shop, invoice, "200.00", reference="Check 1042")
    assert first.status_code == 201
    assert first.json["invoice"] == {"id": invoice["id"], "number": invoice["number"], "status": "partially_paid", "balance_due": "338.40"}
    second = pay(shop, invoice, "338.40", method="card")
    assert second.json["invoice"]["status"] == "paid"
    now = current(shop, invoice)
    assert (now["amount_paid"], now["balance_due"], now["status"]) == ("538.40", "0.00", "paid")
    assert [payment["amount"] for payment in now["payments"]] == ["200.00", "338.40"]


@pytest.mark.parametrize(
    ("amount", "field"),
    [("0", "amount"), ("-5.00", "amount"), ("10.005", "amount"), ("538.41", "amount"), ("abc", "amount")],
)
def test_bad_amounts_are_refused_and_change_nothing(app, shop, invoice, amount, field):
    answer = pay(shop, invoice, amount)
    assert answer.status_code == 422
    assert field in answer.json["errors"]
    assert current(shop, invoice)["amount_paid"] == "0.00"
    with app.app_context():
        assert db.session.scalar(select(func.count(Payment.id))) == 0


def test_an_unknown_method_is_refused(shop, invoice):
    answer = pay(shop, invoice, "10.00", method="bitcoin")
    assert answer.status_code == 422
    assert "method" in answer.json["errors"]


def test_overpayment_names_the_balance(shop, invoice):
    pay(shop, invoice, "500.00")
    answer = pay(shop, invoice, "40.00")
    assert answer.status_code == 422
    assert "38.40" in answer.json["errors"]["amount"][0]


def test_a_paid_invoice_takes_no_more_payments(shop, invoice):
    pay(shop, invoice, "538.40")
    assert pay(shop, invoice, "1.00").status_code == 409


def test_a_reversed_payment_reopens_the_balance(shop, invoice):
    payment = pay(shop, invoice, "538.40").json
    answer = shop.dispatcher.post(f"/payments/{payment['id']}/reversal", json={"reason": "Check bounced"})
    assert answer.status_code == 200
    assert answer.json["reversal_reason"] == "Check bounced"
    assert answer.json["invoice"]["status"] == "sent"
    assert answer.json["invoice"]["balance_due"] == "538.40"
    again = shop.dispatcher.post(f"/payments/{payment['id']}/reversal", json={"reason": "again"})
    assert again.status_code == 409
    assert shop.dispatcher.post(f"/payments/{payment['id']}/reversal", json={"reason": "  "}).status_code == 422


def test_balance_and_status_always_agree_with_the_payments(app, shop, invoice):
    """Random payments and reversals: amount paid is what stands, and the status says so."""
    rng = random.Random(20261122)
    standing: dict[int, Decimal] = {}
    total = Decimal(invoice["total"])
    for _ in range(40):
        paid = sum(standing.values(), Decimal("0.00"))
        if standing and rng.random() < 0.35:
            payment_id = rng.choice(list(standing))
            answer = shop.dispatcher.post(f"/payments/{payment_id}/reversal", json={"reason": "random reversal"})
            assert answer.status_code == 200
            del standing[payment_id]
        else:
            amount = Decimal(rng.randint(1, 30000)) / 100
            answer = pay(shop, invoice, str(amount))
            if amount > total - paid:
                assert answer.status_code in (409, 422)
            else:
                assert answer.status_code == 201, answer.json
                standing[answer.json["id"]] = amount
        paid = sum(standing.values(), Decimal("0.00"))
        now = current(shop, invoice)
        assert Decimal(now["amount_paid"]) == paid
        assert Decimal(now["balance_due"]) == total - paid
        expected = "paid" if paid == total else "partially_paid" if paid else "sent"
        assert now["status"] == expected


def offer_early_payment_discount(app, percent: str, days: int) -> None:
    with app.app_context():
        settings = company_settings()
        settings.early_payment_discount_percent, settings.early_payment_discount_days = Decimal(percent), days
        db.session.commit()


def test_an_early_payment_earns_the_discount(app, shop, invoice):
    offer_early_payment_discount(app, percent="2", days=10)
    # 2 % of 538.40 = 10.768 → 10.77 off: 527.63 settles it within ten days.
    answer = pay(shop, invoice, "527.63")
    assert answer.json["invoice"]["status"] == "paid"
    now = current(shop, invoice)
    assert (now["discount_taken"], now["balance_due"]) == ("10.77", "0.00")


def test_a_late_payment_earns_no_discount(app, shop, invoice):
    offer_early_payment_discount(app, percent="2", days=10)
    late = (company_today_of(shop) + timedelta(days=11)).isoformat()
    answer = pay(shop, invoice, "527.63", received_on=late)
    assert answer.json["invoice"] == {**answer.json["invoice"], "status": "partially_paid", "balance_due": "10.77"}


def company_today_of(shop) -> date:
    """The company's today, as the invoices were dated."""
    return date.fromisoformat(shop.dispatcher.get("/invoices").json[0]["issue_date"])


def test_voiding_keeps_the_invoice_with_its_reason(shop, invoice):
    answer = shop.dispatcher.post(f"/invoices/{invoice['id']}/void", json={"reason": "Billed to the wrong customer"})
    assert answer.status_code == 200
    assert (answer.json["status"], answer.json["void_reason"], answer.json["balance_due"]) == ("void", "Billed to the wrong customer", "0.00")
    assert answer.json["number"] == invoice["number"] and answer.json["total"] == "538.40"
    assert pay(shop, invoice, "10.00").status_code == 409
    assert shop.dispatcher.post(f"/invoices/{invoice['id']}/void", json={"reason": "again"}).status_code == 409


def test_an_invoice_with_money_on_it_cannot_be_voided(shop, invoice):
    pay(shop, invoice, "100.00")
    answer = shop.dispatcher.post(f"/invoices/{invoice['id']}/void", json={"reason": "oops"})
    assert answer.status_code == 409
    assert current(shop, invoice)["status"] == "partially_paid"


def test_a_credit_note_is_its_own_numbered_document(app, shop, invoice):
    answer = shop.dispatcher.post(f"/invoices/{invoice['id']}/credit-notes", json={"amount": "107.68", "reason": "Motor was under warranty"})
    assert answer.status_code == 201
    note = answer.json
    assert note["number"].startswith("CN-") and note["number"].endswith("-000001")
    # Its share of tax: 107.68 × 22.52 / 538.40 = 4.504 → 4.50.
    assert (note["subtotal"], note["tax"], note["total"]) == ("103.18", "4.50", "107.68")
    now = current(shop, invoice)
    assert (now["total"], now["amount_credited"], now["balance_due"]) == ("538.40", "107.68", "430.72")
    too_much = shop.dispatcher.post(f"/invoices/{invoice['id']}/credit-notes", json={"amount": "430.73", "reason": "x"})
    assert too_much.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(CreditNote.id))) == 1


def test_crediting_the_whole_balance_settles_the_invoice(shop, invoice):
    pay(shop, invoice, "38.40")
    shop.dispatcher.post(f"/invoices/{invoice['id']}/credit-notes", json={"amount": "500.00", "reason": "Goodwill"})
    assert current(shop, invoice)["status"] == "paid"


class TestDisputes:
    def test_a_rejected_dispute_puts_the_invoice_back(self, shop, invoice):
        pay(shop, invoice, "100.00")
        opened = shop.dispatcher.post(f"/invoices/{invoice['id']}/disputes", json={"reason": "Customer says the motor was not replaced"})
        assert opened.status_code == 201
        dispute = opened.json
        assert current(shop, invoice)["status"] == "disputed"
        assert dispute["respond_by"] == (company_today_of(shop) + timedelta(days=7)).isoformat()
        assert shop.dispatcher.post(f"/disputes/{dispute['id']}/notes", json={"text": "Sent the photos"}).status_code == 201
        # Payments still count while disputed.
        assert pay(shop, invoice, "38.40").status_code == 201
        resolved = shop.dispatcher.post(f"/disputes/{dispute['id']}/resolution", json={"outcome": "rejected", "note": "Photos show the new motor"})
        assert resolved.status_code == 200
        assert [note["text"] for note in resolved.json["notes"]] == [
            "Customer says the motor was not replaced", "Sent the photos", "Photos show the new motor"
        ]
        now = current(shop, invoice)
        assert (now["status"], now["balance_due"]) == ("partially_paid", "400.00")

    def test_an_upheld_dispute_credits_the_customer(self, shop, invoice):
        dispute = shop.dispatcher.post(f"/invoices/{invoice['id']}/disputes", json={"reason": "Charged twice"}).json
        resolved = shop.dispatcher.post(
            f"/disputes/{dispute['id']}/resolution", json={"outcome": "upheld", "note": "Agreed", "credit_amount": "38.40"}
        ).json
        assert resolved["outcome"] == "upheld" and resolved["credit_note_id"]
        now = current(shop, invoice)
        assert (now["status"], now["balance_due"], now["amount_credited"]) == ("sent", "500.00", "38.40")
        again = shop.dispatcher.post(f"/disputes/{dispute['id']}/resolution", json={"outcome": "rejected", "note": "x"})
        assert again.status_code == 409

    def test_a_paid_invoice_cannot_be_disputed(self, shop, invoice):
        pay(shop, invoice, "538.40")
        answer = shop.dispatcher.post(f"/invoices/{invoice['id']}/disputes", json={"reason": "late complaint"})
        assert answer.status_code == 409
        assert current(shop, invoice)["status"] == "paid"


def test_the_statement_shows_everything_with_a_running_balance(shop, invoice):
    pay(shop, invoice, "100.00")
    shop.dispatcher.post(f"/invoices/{invoice['id']}/credit-notes", json={"amount": "38.40", "reason": "Discount agreed"})
    statement = shop.dispatcher.get(f"/customers/{shop.customer['id']}/statement").json
    assert [(entry["description"], entry["amount"], entry["balance"]) for entry in statement] == [
        ("Invoice", "538.40", "538.40"),
        ("Credit: Discount agreed", "-38.40", "500.00"),
        ("Payment (check)", "-100.00", "400.00"),
    ]


def test_the_invoice_list_filters_by_status_and_overdue(app, shop, invoice):
    assert [i["number"] for i in shop.dispatcher.get("/invoices?status=sent").json] == [invoice["number"]]
    assert shop.dispatcher.get("/invoices?status=paid").json == []
    assert shop.dispatcher.get("/invoices?overdue=true").json == []
    with app.app_context():
        stored = db.session.get(Invoice, invoice["id"])
        stored.issue_date, stored.due_date = company_today() - timedelta(days=40), company_today() - timedelta(days=10)
        db.session.commit()
    overdue = shop.dispatcher.get("/invoices?overdue=true").json
    assert [(i["number"], i["is_overdue"]) for i in overdue] == [(invoice["number"], True)]
    assert shop.dispatcher.get("/invoices?status=shipped").status_code == 422
    assert shop.technician.get("/invoices").status_code == 403


@pytest.mark.parametrize("customer_id", [2**31, 10**25])  # beyond PostgreSQL's and SQLite's integers
def test_the_invoice_list_filtered_by_a_customer_id_no_key_can_hold_is_422(shop, customer_id):
    answer = shop.dispatcher.get("/invoices", query_string={"customer_id": customer_id})

    assert answer.status_code == 422
    assert "customer_id" in answer.json["errors"]
