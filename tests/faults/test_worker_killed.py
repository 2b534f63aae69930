"""A worker's work horse killed in the middle of emailing an invoice: the job is retried, the email goes out once.

RQ's parent worker sees its work horse die, fails the job and schedules its retry;
PostgreSQL rolls back the dead horse's transaction when its connection drops, so the
email request is still waiting, unlocked, for the retry.

Not covered, because it cannot be: a horse killed after the mail server accepted the
message and before the database recorded it as sent. The retry then sends it again, as
the mail server's answer and our commit cannot be one atomic step. The window is the
time between the end of SMTP's DATA and the commit (milliseconds); here the horse is
killed before any message is offered.
"""
import os
import signal

import pytest
from rq.job import Job
from rq.serializers import JSONSerializer

from dispatch.extensions import db
from dispatch.invoicing.jobs import email_invoice
from dispatch.invoicing.models import InvoiceEmail
from dispatch.jobs import OutboxMessage, job_id, redis_connection
from tests.conftest import wait_for_jobs
from tests.faults.services import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_a_killed_email_job_is_retried_and_sends_once(app, own_worker, shop, smtp_server):
    smtp_server.is_stalling = True
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    assert smtp_server.is_stalled.wait(timeout=30), "the email job never reached the mail server"
    horse = own_worker.work_horse_pid()
    assert horse is not None
    os.kill(horse, signal.SIGKILL)
    wait_until(lambda: not os.path.exists(f"/proc/{horse}"), 10, "the work horse to die")
    smtp_server.is_stalling = False

    (message,) = smtp_server.wait_for(1)
    wait_for_jobs(app)
    assert own_worker.process.poll() is None  # the worker itself carries on
    assert len(smtp_server.messages) == 1
    assert filed["invoice"]["number"] in message["Subject"]
    with app.app_context():
        (email,) = db.session.query(InvoiceEmail).filter_by(invoice_id=filed["invoice"]["id"]).all()
        assert email.sent_at is not None and email.failure is None
        assert email.message_id == message["Message-ID"]
        (request,) = db.session.query(OutboxMessage).filter_by(job=f"{email_invoice.__module__}.email_invoice").all()
        job = Job.fetch(job_id(request), connection=redis_connection(app), serializer=JSONSerializer)
    assert job.retries_left == len(app.config["JOB_RETRY_INTERVALS"]) - 1  # it was the retry that sent it
