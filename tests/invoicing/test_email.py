"""The invoice PDF reaches the customer's inbox once, through a real SMTP server."""
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from dispatch.extensions import db
from dispatch.invoicing.jobs import email_invoice
from dispatch.jobs import OutboxMessage, deliver_outbox


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def attachment_of(message) -> bytes:
    (attachment,) = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    return attachment.get_content()


def test_filing_emails_the_invoice_pdf_to_the_customer(shop, smtp_server, jobs_done):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    (message,) = smtp_server.wait_for(1)
    invoice_number = filed["invoice"]["number"]
    assert message["To"] == shop.customer["email"]
    assert invoice_number in message["Subject"]
    text = pdf_text(attachment_of(message))
    for expected in (invoice_number, filed["number"], "538.40", "515.88", "22.52", "PO-5531", "Seacoast Heating & Cooling",
                     "Harbor View Dental", "Net 15 days", "How to pay", "Tax 8.25 %"):
        assert expected in text, expected
    jobs_done()
    invoice = shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json
    assert invoice["status"] == "sent"
    (email,) = invoice["emails"]
    assert email["to_address"] == shop.customer["email"]
    assert email["message_id"] == message["Message-ID"]
    assert email["sent_at"] is not None


def test_the_pdf_can_be_downloaded(shop):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    answer = shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}/pdf")
    assert answer.status_code == 200
    assert answer.content_type == "application/pdf"
    assert filed["invoice"]["number"] in pdf_text(answer.data)


def test_running_the_email_job_twice_sends_once(app, shop, smtp_server, jobs_done):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    smtp_server.wait_for(1)
    jobs_done()
    with app.app_context():
        assert email_invoice(filed["invoice"]["id"]) == 0
        assert email_invoice(filed["invoice"]["id"]) == 0
    assert len(smtp_server.wait_for(2, seconds=1)) == 1


def test_the_dispatcher_can_send_it_again(shop, smtp_server, jobs_done):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    smtp_server.wait_for(1)
    answer = shop.dispatcher.post(f"/invoices/{filed['invoice']['id']}/send")
    assert answer.status_code == 202
    assert len(smtp_server.wait_for(2)) == 2
    jobs_done()
    assert shop.technician.post(f"/invoices/{filed['invoice']['id']}/send").status_code == 403


def test_a_refusing_mail_server_leaves_a_visible_failure_then_a_resend_works(app, shop, smtp_server, jobs_done):
    smtp_server.is_refusing = True
    filed = shop.technician.post("/work-orders", json=shop.work_order())
    assert filed.status_code == 201  # the work order is saved whatever the mail server does
    jobs_done()
    invoice_id = filed.json["invoice"]["id"]
    (email,) = shop.dispatcher.get(f"/invoices/{invoice_id}").json["emails"]
    assert email["sent_at"] is None
    assert "451" in email["failure"]
    # One try inline; with RQ, the first try and each retry.
    assert smtp_server.attempts == (1 + len(app.config["JOB_RETRY_INTERVALS"]) if app.config["REDIS_URL"] else 1)
    smtp_server.is_refusing = False
    assert shop.dispatcher.post(f"/invoices/{invoice_id}/send").status_code == 202
    assert len(smtp_server.wait_for(1)) == 1
    jobs_done()
    assert shop.dispatcher.get(f"/invoices/{invoice_id}").json["status"] == "sent"


def test_without_smtp_mail_is_written_to_the_outbox_folder(app, shop, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "SMTP_HOST", None)
    monkeypatch.setitem(app.config, "MAIL_OUTBOX_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    (saved,) = tmp_path.glob("*.eml")
    assert filed["invoice"]["number"] in saved.read_text(errors="replace")


@pytest.mark.redis
def test_redis_down_while_filing_loses_nothing(app, shop, smtp_server, monkeypatch, jobs_done):
    """Filed while Redis is unreachable: saved at once, emailed once when the sweep runs."""
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    filed = shop.technician.post("/work-orders", json=shop.work_order())
    assert filed.status_code == 201
    with app.app_context():
        waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.enqueued_at.is_(None))).all()
    assert len(waiting) == 1
    assert smtp_server.wait_for(1, seconds=2) == []
    monkeypatch.undo()  # Redis is back
    with app.app_context():
        assert deliver_outbox() == 1
        assert deliver_outbox() == 0
    assert len(smtp_server.wait_for(1)) == 1
    jobs_done()
    assert len(smtp_server.messages) == 1
