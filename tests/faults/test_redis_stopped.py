"""Redis stopped while technicians file: every work order saved, every invoice emailed once after Redis returns."""
import threading
import time
from collections import Counter

import pytest

from dispatch.jobs import deliver_outbox
from tests.conftest import ApiClient, wait_for_jobs

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def keep_filing(app, shop, answers: list, stop: threading.Event) -> None:
    """One technician filing work order after work order, as fast as the app answers."""
    technician = ApiClient(app.test_client(), shop.technician.token, shop.technician.user)
    body = shop.work_order(parts=[{"part_id": shop.capacitor["id"], "quantity": 1, "location_id": shop.warehouse_id}])
    del body["follow_up"]  # one technician's follow-ups would soon fill their calendar
    while not stop.is_set():
        answer = technician.post("/work-orders", json=body)
        answers.append((answer.status_code, answer.json))


def test_work_orders_filed_while_redis_is_down_are_saved_and_emailed_once(app, own_redis, own_worker, shop, smtp_server):
    shop.dispatcher.post("/stock/receipts", json={
        "part_id": shop.capacitor["id"], "location_id": shop.warehouse_id, "quantity": 500, "unit_cost": "11.80"})
    answers, stop = [], threading.Event()
    filer = threading.Thread(target=keep_filing, args=(app, shop, answers, stop))
    filer.start()
    try:
        smtp_server.wait_for(2)  # Redis up: filed and emailed
        own_redis.stop()
        filed_before_stop = len(answers)
        time.sleep(2)
        filed_while_down = len(answers) - filed_before_stop
        own_redis.start()  # back, and empty: it kept nothing
        time.sleep(0.5)
    finally:
        stop.set()
        filer.join(timeout=30)

    assert filed_while_down >= 2
    assert [status for status, _ in answers] == [201] * len(answers)
    invoice_numbers = {body["invoice"]["number"] for _, body in answers}
    assert len(invoice_numbers) == len(answers)

    # The worker waited out the outage and swept the outbox when Redis answered again; what was
    # committed after that sweep goes with the next one, which `dispatch cron` runs every minute.
    assert own_worker.process.poll() is None
    with app.app_context():
        deliver_outbox()
    smtp_server.wait_for(len(answers))
    wait_for_jobs(app)
    time.sleep(1)  # anything sent twice would arrive by now
    emailed = Counter(next(number for number in invoice_numbers if number in message["Subject"])
                      for message in smtp_server.messages)
    assert set(emailed) == invoice_numbers
    assert set(emailed.values()) == {1}


def test_a_job_redis_lost_is_handed_over_again(app, own_redis, start_worker, shop, smtp_server):
    """Queued, then Redis restarted without its data before any worker took the job: the worker's sweep finds it."""
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    own_redis.stop()
    own_redis.start()
    start_worker()
    (message,) = smtp_server.wait_for(1)
    assert filed["invoice"]["number"] in message["Subject"]
    wait_for_jobs(app)
    with app.app_context():
        assert deliver_outbox() == 0  # the cron's sweep finds nothing more to do
    wait_for_jobs(app)
    assert len(smtp_server.messages) == 1
