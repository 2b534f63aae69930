"""The mail server refusing: retried with growing waits, then a failure the office sees, and nothing sent twice."""
import html
import threading

import pytest

from tests.conftest import wait_for_jobs

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

RETRY_INTERVALS = [2, 5]  # seconds; production waits 30 s, 2 min, 10 min
# RQ schedules a retry to the whole second, so a wait can come up to a second short of its interval.
SCHEDULING_SLACK = 1


@pytest.fixture
def backoff(app, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_RETRY_INTERVALS", RETRY_INTERVALS)


def test_refused_mail_is_retried_then_shown_failed_and_a_resend_goes_out_once(
        app, backoff, own_worker, shop, smtp_server, browser_as):
    smtp_server.is_refusing = True
    filed = shop.technician.post("/work-orders", json=shop.work_order())
    assert filed.status_code == 201  # the work order is saved whatever the mail server does
    invoice_id = filed.json["invoice"]["id"]
    wait_for_jobs(app)

    # The first try and one per retry, each retry waiting longer than the one before.
    assert smtp_server.attempts == 1 + len(RETRY_INTERVALS)
    times = smtp_server.attempted_at
    waits = [later - earlier for earlier, later in zip(times, times[1:])]
    assert waits[0] >= RETRY_INTERVALS[0] - SCHEDULING_SLACK and waits[1] >= RETRY_INTERVALS[1] - SCHEDULING_SLACK, waits
    assert waits[1] > waits[0], waits
    assert smtp_server.messages == []

    (email,) = shop.dispatcher.get(f"/invoices/{invoice_id}").json["emails"]
    assert email["sent_at"] is None and email["failed_at"] is not None
    assert "451" in email["failure"] and "Mailbox temporarily unavailable" in email["failure"]
    page = html.unescape(browser_as(shop.dispatcher.user).get(f"/invoices/{invoice_id}").get_data(as_text=True))
    assert "Failed" in page and "Mailbox temporarily unavailable" in page

    smtp_server.is_refusing = False
    assert shop.dispatcher.post(f"/invoices/{invoice_id}/send").status_code == 202
    wait_for_jobs(app)
    assert len(smtp_server.wait_for(1)) == 1
    failed, resent = shop.dispatcher.get(f"/invoices/{invoice_id}").json["emails"]
    assert failed["sent_at"] is None  # the failed request is not sent again behind the office's back
    assert resent["sent_at"] is not None and resent["failure"] is None
    assert len(smtp_server.messages) == 1


def test_a_retry_that_finds_the_mail_server_back_sends_once(app, backoff, own_worker, shop, smtp_server):
    smtp_server.is_refusing = True

    def recover_after_first_refusal():
        while smtp_server.attempts < 1:
            threading.Event().wait(0.02)
        smtp_server.is_refusing = False

    recovery = threading.Thread(target=recover_after_first_refusal, daemon=True)
    recovery.start()
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    recovery.join(timeout=30)
    wait_for_jobs(app)

    assert smtp_server.attempts == 2
    (message,) = smtp_server.messages
    assert filed["invoice"]["number"] in message["Subject"]
    (email,) = shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json["emails"]
    assert email["sent_at"] is not None and email["failure"] is None
    assert email["message_id"] == message["Message-ID"]
