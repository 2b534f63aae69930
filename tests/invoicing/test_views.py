"""The invoice pages: the dispatcher's list and invoice with its forms, and the customer's link."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dispatch.core.time import company_today
from dispatch.extensions import db
from dispatch.invoicing.models import CreditNote, Dispute, DisputeNote, Invoice, InvoiceEmail, InvoiceView, Payment
from tests.conftest import csrf_token


@pytest.fixture
def invoice(shop, jobs_done) -> dict:
    """The API.md example job's invoice: total 538.40, emailed to the customer with their link."""
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    jobs_done()
    return shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json


@pytest.fixture
def dispatcher(browser_as, shop):
    """The shop's dispatcher, logged in to the pages."""
    return browser_as(shop.dispatcher.user)


def text_of(answer) -> str:
    return answer.get_data(as_text=True)


def submit(browser, invoice: dict, action: str, **form):
    """Post one of the invoice page's forms, with the page's CSRF token."""
    token = csrf_token(browser.get(f"/invoices/{invoice['id']}"))
    return browser.post(f"/invoices/{invoice['id']}/{action}", data={**form, "csrf_token": token})


def stored(app, invoice: dict) -> Invoice:
    with app.app_context():
        found = db.session.get(Invoice, invoice["id"])
        db.session.expunge(found)
        return found


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def link_token(app, invoice: dict) -> str:
    with app.app_context():  # the token is signed with the app's SECRET_KEY
        return db.session.get(Invoice, invoice["id"]).view_token


def today(app):
    with app.app_context():
        return company_today()


def make_overdue(app, invoice: dict) -> None:
    with app.app_context():
        found = db.session.get(Invoice, invoice["id"])
        found.issue_date, found.due_date = company_today() - timedelta(days=40), company_today() - timedelta(days=10)
        db.session.commit()


def row_of(page: str, number: str) -> str:
    """The list's table row for one invoice."""
    return re.search(rf"<tr>(?:(?!</tr>).)*{number}(?:(?!</tr>).)*</tr>", page, re.DOTALL).group(0)


class TestTheList:
    def test_each_invoice_shows_its_figures_and_badges(self, app, client, dispatcher, invoice, shop):
        client.get(f"/i/{link_token(app, invoice)}")
        client.get(f"/i/{link_token(app, invoice)}")
        make_overdue(app, invoice)

        answer = dispatcher.get("/invoices/")

        assert answer.status_code == 200
        row = row_of(text_of(answer), invoice["number"])
        assert "Harbor View Dental" in row
        assert str(today(app) - timedelta(days=40)) in row and str(today(app) - timedelta(days=10)) in row
        assert row.count("538.40") == 2  # total and balance due
        assert 'data-status="viewed"' in row
        assert ">Emailed<" in row and ">Viewed 2×<" in row and ">Overdue<" in row

    def test_a_fresh_invoice_has_no_view_or_overdue_badge(self, dispatcher, invoice):
        row = row_of(text_of(dispatcher.get("/invoices/")), invoice["number"])

        assert 'data-status="sent"' in row and ">Emailed<" in row
        assert "Viewed" not in row and "Overdue" not in row

    def test_filters_by_status_and_overdue(self, app, shop, dispatcher, invoice):
        paid = shop.technician.post("/work-orders", json=shop.work_order(po_number="PO-7000")).json["invoice"]
        shop.dispatcher.post(f"/invoices/{paid['id']}/payments", json={"amount": paid["total"], "method": "card"})
        make_overdue(app, invoice)

        def numbers(query: str) -> set[str]:
            return set(re.findall(r"INV-\d{4}-\d{6}", text_of(dispatcher.get(f"/invoices/{query}"))))

        assert numbers("") == {invoice["number"], paid["number"]}
        assert numbers("?status=paid") == {paid["number"]}
        assert numbers("?status=sent") == {invoice["number"]}
        assert numbers("?overdue=true") == {invoice["number"]}
        assert numbers("?status=void") == set()
        assert 'aria-current="page">Paid<' in text_of(dispatcher.get("/invoices/?status=paid"))

    def test_an_unknown_status_is_refused(self, dispatcher):
        assert dispatcher.get("/invoices/?status=shipped").status_code == 422


class TestTheInvoicePage:
    def test_shows_lines_totals_payments_credits_emails_and_views(self, app, client, shop, dispatcher, invoice):
        shop.dispatcher.post(f"/invoices/{invoice['id']}/payments", json={"amount": "100.00", "method": "check", "reference": "Check 1042"})
        bounced = shop.dispatcher.post(f"/invoices/{invoice['id']}/payments", json={"amount": "50.00", "method": "check"}).json
        shop.dispatcher.post(f"/payments/{bounced['id']}/reversal", json={"reason": "Check bounced"})
        shop.dispatcher.post(f"/invoices/{invoice['id']}/credit-notes", json={"amount": "38.40", "reason": "Motor under warranty"})
        client.get(f"/i/{link_token(app, invoice)}", headers={"User-Agent": "Customer's phone"})

        page = text_of(dispatcher.get(f"/invoices/{invoice['id']}"))

        assert "Condenser fan motor" in page
        for figure in ("538.40", "−38.40", "−100.00", "400.00"):
            assert figure in page
        assert "Check 1042" in page
        assert "Reversed" in page and "Check bounced" in page
        assert "CN-" in page and "Motor under warranty" in page
        assert "office@harborview.example" in page and "Sent " in page
        assert "Opened 1 time" in page and "Customer&#39;s phone" in page
        assert 'data-status="partially_paid"' in page
        # Only the standing payment can still be reversed.
        assert page.count("Reverse this payment") == 1

    def test_links_to_the_pdf(self, dispatcher, invoice):
        page = text_of(dispatcher.get(f"/invoices/{invoice['id']}"))
        assert f'href="/invoices/{invoice["id"]}/pdf"' in page

        answer = dispatcher.get(f"/invoices/{invoice['id']}/pdf")

        assert answer.status_code == 200
        assert answer.mimetype == "application/pdf"
        assert answer.data.startswith(b"%PDF")

    def test_an_unknown_invoice_is_404(self, dispatcher):
        assert dispatcher.get("/invoices/999999").status_code == 404


class TestTheForms:
    def test_record_a_partial_payment(self, app, dispatcher, invoice):
        answer = submit(dispatcher, invoice, "payments", amount="200.00", method="check", reference="Check 1042", received_on="")

        assert answer.status_code == 302
        page = text_of(dispatcher.get(answer.headers["Location"]))
        assert "Payment of 200.00 recorded. Balance due: 338.40." in page
        assert 'data-status="partially_paid"' in page
        with app.app_context():
            [payment] = db.session.scalars(select(Payment)).all()
            assert (payment.amount, payment.method, payment.reference, payment.received_on) == (
                Decimal("200.00"), "check", "Check 1042", company_today()
            )
        assert stored(app, invoice).status == "partially_paid"

    @pytest.mark.parametrize(
        ("amount", "message"),
        [
            ("538.41", "More than the balance due on"),
            ("10.005", "Use at most two decimal places."),
            ("0", "greater than 0"),
            ("lots", "Not a valid number."),
        ],
    )
    def test_a_bad_payment_is_shown_again_with_the_error_and_writes_nothing(self, app, dispatcher, invoice, amount, message):
        answer = submit(dispatcher, invoice, "payments", amount=amount, method="card", reference="Slip 77")

        assert answer.status_code == 422
        page = text_of(answer)
        assert message in page
        assert 'id="payment-amount-error"' in page
        assert f'value="{amount}"' in page and 'value="Slip 77"' in page  # what was typed is kept
        assert re.search(r'<option value="card"\s+selected>', page)
        assert count(app, Payment) == 0
        assert stored(app, invoice).amount_paid == 0

    def test_a_payment_on_a_void_invoice_is_a_conflict(self, app, shop, dispatcher, invoice):
        shop.dispatcher.post(f"/invoices/{invoice['id']}/void", json={"reason": "Wrong customer"})

        answer = dispatcher.post(
            f"/invoices/{invoice['id']}/payments",
            data={"amount": "10.00", "method": "cash", "csrf_token": csrf_token(dispatcher.get(f"/invoices/{invoice['id']}"))},
        )

        assert answer.status_code == 409
        assert "is void: it takes no payments." in text_of(answer)
        assert count(app, Payment) == 0

    def test_reverse_a_payment(self, app, shop, dispatcher, invoice):
        payment = shop.dispatcher.post(f"/invoices/{invoice['id']}/payments", json={"amount": "538.40", "method": "check"}).json

        answer = submit(dispatcher, invoice, f"payments/{payment['id']}/reversal", reason="Check bounced")

        assert answer.status_code == 302
        assert "reversed. Balance due: 538.40." in text_of(dispatcher.get(answer.headers["Location"]))
        with app.app_context():
            reversed_payment = db.session.get(Payment, payment["id"])
            assert (reversed_payment.reversal_reason, reversed_payment.reversed_at is not None) == ("Check bounced", True)
        assert stored(app, invoice).status == "sent"

    def test_a_reversal_needs_a_reason(self, app, shop, dispatcher, invoice):
        payment = shop.dispatcher.post(f"/invoices/{invoice['id']}/payments", json={"amount": "100.00", "method": "check"}).json

        answer = submit(dispatcher, invoice, f"payments/{payment['id']}/reversal", reason="   ")

        assert answer.status_code == 422
        assert f'id="reversal-{payment["id"]}-reason-error"' in text_of(answer)
        with app.app_context():
            assert db.session.get(Payment, payment["id"]).reversed_at is None

    def test_issue_a_credit_note(self, app, dispatcher, invoice):
        answer = submit(dispatcher, invoice, "credit-notes", amount="107.68", reason="Motor was under warranty")

        assert answer.status_code == 302
        assert re.search(r"Credit note CN-\d{4}-000001 issued for 107.68.", text_of(dispatcher.get(answer.headers["Location"])))
        with app.app_context():
            [note] = db.session.scalars(select(CreditNote)).all()
            assert (note.total, note.reason) == (Decimal("107.68"), "Motor was under warranty")
        assert stored(app, invoice).balance_due == Decimal("430.72")

    def test_a_credit_beyond_the_balance_writes_nothing(self, app, dispatcher, invoice):
        answer = submit(dispatcher, invoice, "credit-notes", amount="538.41", reason="Goodwill")

        assert answer.status_code == 422
        assert 'id="credit-amount-error"' in text_of(answer)
        assert count(app, CreditNote) == 0

    def test_void_with_a_reason(self, app, dispatcher, invoice):
        answer = submit(dispatcher, invoice, "void", reason="Billed to the wrong customer")

        assert answer.status_code == 302
        page = text_of(dispatcher.get(answer.headers["Location"]))
        assert f"Invoice {invoice['number']} is void." in page
        assert "Billed to the wrong customer" in page
        voided = stored(app, invoice)
        assert (voided.status, voided.void_reason) == ("void", "Billed to the wrong customer")

    def test_an_invoice_with_money_on_it_is_not_voided(self, app, shop, dispatcher, invoice):
        shop.dispatcher.post(f"/invoices/{invoice['id']}/payments", json={"amount": "100.00", "method": "check"})

        answer = submit(dispatcher, invoice, "void", reason="Oops")

        assert answer.status_code == 409
        assert "has payments or credits on it" in text_of(answer)
        assert "Oops" in text_of(answer)
        assert stored(app, invoice).status == "partially_paid"

    def test_open_a_dispute_add_a_note_and_reject_it(self, app, dispatcher, invoice):
        opened = submit(dispatcher, invoice, "disputes", reason="Customer says the motor was not replaced")
        assert opened.status_code == 302
        assert stored(app, invoice).status == "disputed"
        with app.app_context():
            dispute_id = db.session.scalar(select(Dispute.id))

        noted = submit(dispatcher, invoice, f"disputes/{dispute_id}/notes", text="Sent the photos")
        assert noted.status_code == 302
        page = text_of(dispatcher.get(f"/invoices/{invoice['id']}"))
        assert "Customer says the motor was not replaced" in page and "Sent the photos" in page

        resolved = submit(dispatcher, invoice, f"disputes/{dispute_id}/resolution", outcome="rejected", note="Photos show the new motor", credit_amount="")
        assert resolved.status_code == 302
        assert "Dispute rejected" in text_of(dispatcher.get(resolved.headers["Location"]))
        assert stored(app, invoice).status == "sent"
        with app.app_context():
            dispute = db.session.get(Dispute, dispute_id)
            assert dispute.outcome == "rejected"
            assert [note.text for note in dispute.notes] == [
                "Customer says the motor was not replaced", "Sent the photos", "Photos show the new motor"
            ]

    def test_an_upheld_dispute_credits_the_amount_given(self, app, shop, dispatcher, invoice):
        dispute = shop.dispatcher.post(f"/invoices/{invoice['id']}/disputes", json={"reason": "Charged twice for travel"}).json

        answer = submit(dispatcher, invoice, f"disputes/{dispute['id']}/resolution", outcome="upheld", note="Agreed", credit_amount="65.00")

        assert answer.status_code == 302
        resolved = stored(app, invoice)
        assert (resolved.status, resolved.amount_credited) == ("sent", Decimal("65.00"))

    def test_a_rejected_dispute_with_a_credit_is_refused(self, app, shop, dispatcher, invoice):
        dispute = shop.dispatcher.post(f"/invoices/{invoice['id']}/disputes", json={"reason": "Charged twice"}).json

        answer = submit(dispatcher, invoice, f"disputes/{dispute['id']}/resolution", outcome="rejected", note="No", credit_amount="10.00")

        assert answer.status_code == 422
        page = text_of(answer)
        assert "A rejected dispute credits nothing." in page
        assert f'id="resolution-{dispute["id"]}-credit_amount-error"' in page
        assert stored(app, invoice).status == "disputed"
        assert count(app, CreditNote) == 0

    def test_email_it_again(self, app, dispatcher, invoice, jobs_done, smtp_server):
        answer = submit(dispatcher, invoice, "send")

        assert answer.status_code == 302
        assert "will be emailed to office@harborview.example" in text_of(dispatcher.get(answer.headers["Location"]))
        jobs_done()
        with app.app_context():
            emails = db.session.scalars(select(InvoiceEmail).order_by(InvoiceEmail.id)).all()
            assert [email.sent_at is not None for email in emails] == [True, True]

    def test_a_form_without_csrf_token_is_refused(self, app, dispatcher, invoice):
        answer = dispatcher.post(f"/invoices/{invoice['id']}/payments", data={"amount": "100.00", "method": "cash"})

        assert answer.status_code == 400
        assert count(app, Payment) == 0


def test_technicians_get_403_on_the_invoice_pages(app, browser_as, shop, invoice):
    technician = browser_as(shop.technician.user)
    token = csrf_token(technician.get("/work-orders/new"))

    assert technician.get("/invoices/").status_code == 403
    assert technician.get(f"/invoices/{invoice['id']}").status_code == 403
    assert technician.get(f"/invoices/{invoice['id']}/pdf").status_code == 403
    answer = technician.post(f"/invoices/{invoice['id']}/payments", data={"amount": "10.00", "method": "cash", "csrf_token": token})
    assert answer.status_code == 403
    assert count(app, Payment) == 0


def test_the_invoice_pages_need_a_login(client, invoice):
    answer = client.get(f"/invoices/{invoice['id']}")

    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]


def test_owners_see_the_invoice_pages(browser_as, invoice):
    assert browser_as("owner").get(f"/invoices/{invoice['id']}").status_code == 200


def test_the_navigation_offers_invoices_to_staff_only(browser_as, shop):
    assert 'href="/invoices/"' in text_of(browser_as(shop.dispatcher.user).get("/"))
    assert 'href="/invoices/"' not in text_of(browser_as(shop.technician.user).get("/"))


class TestTheCustomersLink:
    def test_shows_the_invoice_and_counts_every_opening(self, app, client, invoice):
        token = link_token(app, invoice)

        first = client.get(f"/i/{token}", headers={"User-Agent": "Phone browser"})
        client.get(f"/i/{token}", headers={"User-Agent": "Laptop browser"})

        assert first.status_code == 200
        page = text_of(first)
        shown = (invoice["number"], "Seacoast Heating &amp; Cooling", invoice["issue_date"], invoice["due_date"],
                 "Condenser fan motor", "538.40", "Awaiting payment", "How to pay")
        for expected in shown:
            assert expected in page
        viewed = stored(app, invoice)
        assert (viewed.status, viewed.view_count, viewed.first_viewed_at is not None) == ("viewed", 2, True)
        with app.app_context():
            assert [view.user_agent for view in db.session.scalars(select(InvoiceView).order_by(InvoiceView.id))] == ["Phone browser", "Laptop browser"]
        assert first.headers["Cache-Control"] == "no-store"

    def test_shows_nothing_internal_and_no_other_invoice(self, app, client, shop, invoice):
        other = shop.technician.post("/work-orders", json=shop.work_order(po_number="PO-OTHER")).json["invoice"]
        shop.dispatcher.post(f"/invoices/{invoice['id']}/disputes", json={"reason": "Internal: customer rang, sounded annoyed"})

        page = text_of(client.get(f"/i/{link_token(app, invoice)}"))

        assert other["number"] not in page and "PO-OTHER" not in page
        assert "96.40" not in page and "11.80" not in page  # the parts' cost
        assert "sounded annoyed" not in page
        assert "Log out" not in page and "/invoices/" not in page and "Dispatch" not in page

    def test_partly_paid_shows_what_is_left(self, app, client, shop, invoice):
        shop.dispatcher.post(f"/invoices/{invoice['id']}/payments", json={"amount": "200.00", "method": "check"})

        page = text_of(client.get(f"/i/{link_token(app, invoice)}"))

        assert "Part paid" in page and "−200.00" in page and "338.40" in page

    def test_downloads_the_pdf_without_counting_a_view(self, app, client, invoice):
        token = link_token(app, invoice)
        assert f'href="/i/{token}/pdf"' in text_of(client.get(f"/i/{token}"))

        answer = client.get(f"/i/{token}/pdf")

        assert answer.status_code == 200
        assert answer.mimetype == "application/pdf"
        assert answer.headers["Content-Disposition"] == f'attachment; filename="{invoice["number"]}.pdf"'
        assert answer.data.startswith(b"%PDF")
        assert stored(app, invoice).view_count == 1

    @pytest.mark.parametrize("token", ["not-a-real-token", "x" * 300, "%00abc", "a.b"])
    def test_a_wrong_token_is_404_and_reveals_nothing(self, app, client, invoice, token):
        for path in (f"/i/{token}", f"/i/{token}/pdf"):
            answer = client.get(path)
            assert answer.status_code == 404
            page = text_of(answer)
            assert invoice["number"] not in page and "Seacoast" not in page and "Harbor View" not in page
            assert "/login" not in page
        answer = client.post(f"/i/{token}/question", data={"reason": "hello", "csrf_token": csrf_token(client.get(f"/i/{link_token(app, invoice)}"))})
        assert answer.status_code == 404
        assert count(app, Dispute) == 0

    def test_the_customer_questions_the_invoice(self, app, client, invoice):
        token = link_token(app, invoice)
        form = {"reason": "The motor was replaced under warranty last year", "csrf_token": csrf_token(client.get(f"/i/{token}"))}

        answer = client.post(f"/i/{token}/question", data=form)

        assert answer.status_code == 302
        page = text_of(client.get(answer.headers["Location"]))
        assert "Thank you. We have your question" in page
        assert "The motor was replaced under warranty last year" in page
        assert "Send my question" not in page
        with app.app_context():
            [dispute] = db.session.scalars(select(Dispute)).all()
            assert (dispute.opened_by_id, dispute.reason) == (None, "The motor was replaced under warranty last year")
            assert [(note.author_id, note.text) for note in db.session.scalars(select(DisputeNote))] == [(None, form["reason"])]
        assert stored(app, invoice).status == "disputed"

    def test_a_blank_question_is_shown_again_and_opens_nothing(self, app, client, invoice):
        token = link_token(app, invoice)

        answer = client.post(f"/i/{token}/question", data={"reason": "  ", "csrf_token": csrf_token(client.get(f"/i/{token}"))})

        assert answer.status_code == 422
        assert 'id="reason-error"' in text_of(answer)
        assert count(app, Dispute) == 0

    def test_the_question_form_needs_its_csrf_token(self, app, client, invoice):
        answer = client.post(f"/i/{link_token(app, invoice)}/question", data={"reason": "Forged"})

        assert answer.status_code == 400
        assert count(app, Dispute) == 0

    def test_a_paid_invoice_offers_no_question_form(self, app, client, shop, invoice):
        shop.dispatcher.post(f"/invoices/{invoice['id']}/payments", json={"amount": "538.40", "method": "card"})

        page = text_of(client.get(f"/i/{link_token(app, invoice)}"))

        assert "Paid in full" in page
        assert "Send my question" not in page and "How to pay" not in page


def test_the_customer_statement_page_keeps_voids_and_credits_beside_the_originals(shop, browser_as, jobs_done):
    first = shop.technician.post("/work-orders", json=shop.work_order()).json
    second = shop.technician.post("/work-orders", json=shop.work_order(parts=[], follow_up=None)).json
    jobs_done()
    shop.dispatcher.post(f"/invoices/{second['invoice']['id']}/void", json={"reason": "Duplicate"})
    shop.dispatcher.post(f"/invoices/{first['invoice']['id']}/credit-notes", json={"amount": "38.40", "reason": "Goodwill"})
    page = browser_as("dispatcher").get(f"/invoices/statement/{shop.customer['id']}").get_data(as_text=True)
    assert first["invoice"]["number"] in page and second["invoice"]["number"] in page
    assert "Void: Duplicate" in page and "Credit: Goodwill" in page
    assert "Balance owed: <strong>500.00</strong>" in page


def test_a_settled_invoices_link_expires_and_then_says_nothing(app, shop, jobs_done, client):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    jobs_done()
    invoice_id = filed["invoice"]["id"]
    shop.dispatcher.post(f"/invoices/{invoice_id}/payments", json={"amount": "538.40", "method": "card"})
    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        token, expires_on = invoice.view_token, invoice.link_expires_on
    assert expires_on == company_today_in(app) + timedelta(days=90)
    assert client.get(f"/i/{token}").status_code == 200  # still there to download a receipt copy
    with app.app_context():
        db.session.get(Invoice, invoice_id).link_expires_on = company_today_in(app) - timedelta(days=1)
        db.session.commit()
    expired = client.get(f"/i/{token}")
    assert expired.status_code == 404
    assert filed["invoice"]["number"] not in expired.get_data(as_text=True)


def company_today_in(app):
    with app.app_context():
        return company_today()
