"""PostgreSQL restarted while technicians file: 503 with Retry-After (never 500), no half-written work order,
and the app carries on afterwards without a restart of its own: a connection found dead answers its request
503 and has the pool replace every connection older than it (pooled connections are not pinged before each use:
that cost a round trip per request).

The cluster is the test's own (initdb into a temporary folder, run as the `postgres` user),
so the shared PostgreSQL is never touched.
"""
import re
import tempfile
import threading
import time
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from dispatch import create_app
from dispatch.auth import service as auth_service
from dispatch.auth.models import Role
from dispatch.extensions import db
from dispatch.inventory.models import StockLevel, StockMovement
from dispatch.invoicing.models import Invoice
from dispatch.jobs import OutboxMessage
from dispatch.payroll.models import PayAccrual
from dispatch.workorders.models import WorkOrder
from tests.conftest import FAST_PASSWORD_HASHING, PASSWORD, ApiClient, warehouse_id
from tests.faults.services import PostgresCluster, RedisServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

TECHNICIANS = 4


@pytest.fixture(scope="module")
def cluster():
    # Not under pytest's temporary folder: the `postgres` user may not enter root's.
    cluster = PostgresCluster(Path(tempfile.mkdtemp(prefix="dispatch-faults-pg-")))
    cluster.create()
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="module")
def outage_app(cluster, tmp_path_factory):
    """The app on the throwaway cluster; its jobs queue on a Redis of its own (no worker: mail is not the point)."""
    redis = RedisServer(tmp_path_factory.mktemp("redis"))
    redis.start()
    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE dispatch"))
    admin.dispose()
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": cluster.url("dispatch"),
        "REDIS_URL": redis.url,
        "RQ_QUEUE": "outage",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        **FAST_PASSWORD_HASHING,
    })
    with app.app_context():
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()
    redis.stop()


def log_in(app, email: str) -> ApiClient:
    client = app.test_client()
    answer = client.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 201, answer.json
    return ApiClient(client, answer.json["token"], None)


def make_users(app, role: str, count: int) -> list[str]:
    emails = []
    with app.app_context():
        for number in range(count):
            email = f"{role}{number}-{uuid.uuid4().hex[:6]}@example.test"
            auth_service.create_user(email=email, name=f"{role} {number}", password=PASSWORD, role=Role(role),
                                     hourly_rate=Decimal("32.00") if role == Role.TECHNICIAN else None)
            emails.append(email)
        db.session.remove()
    return emails


@pytest.fixture(scope="module")
def company(outage_app):
    app = outage_app
    (owner_email,), (dispatcher_email,) = make_users(app, Role.OWNER, 1), make_users(app, Role.DISPATCHER, 1)
    owner, dispatcher = log_in(app, owner_email), log_in(app, dispatcher_email)
    assert owner.patch("/settings", json={"tax_rate_percent": "8.25", "labor_rate_onsite": "125.00",
                                          "labor_rate_travel": "65.00", "mileage_rate": "0.70"}).status_code == 200
    customer = dispatcher.post("/customers", json={"name": "Harbor View Dental", "email": "office@harborview.example"}).json
    part = dispatcher.post("/parts", json={"sku": "CAP-45-5", "name": "Run capacitor", "unit_price": "42.00",
                                           "unit_cost": "11.80"}).json
    warehouse = warehouse_id(dispatcher)
    assert dispatcher.post("/stock/receipts", json={"part_id": part["id"], "location_id": warehouse, "quantity": 5000,
                                                    "unit_cost": "11.80"}).status_code == 201
    body = {
        "customer_id": customer["id"],
        "summary": "Replaced run capacitor",
        "labor": [{"kind": "onsite", "minutes": 45}, {"kind": "travel", "minutes": 20}],
        "parts": [{"part_id": part["id"], "quantity": 1, "location_id": warehouse}],  # every filing takes from one shelf
        "mileage": [{"miles": "12.5"}],
    }
    technicians = [log_in(app, email) for email in make_users(app, Role.TECHNICIAN, TECHNICIANS)]
    return {"dispatcher": dispatcher, "dispatcher_email": dispatcher_email, "technicians": technicians, "body": body}


def keep_filing(technician: ApiClient, body: dict, answers: list, stop: threading.Event) -> None:
    """File, and on 503 (or 409 'still being processed') send the same request with the same key again."""
    while not stop.is_set():
        key, deadline = uuid.uuid4().hex, time.monotonic() + 60
        while time.monotonic() < deadline:
            answer = technician.post("/work-orders", json=body, headers={"Idempotency-Key": key})
            answers.append((key, answer.status_code, answer.headers.get("Retry-After"), answer.get_json(silent=True)))
            if answer.status_code == 201 or "Retry-After" not in answer.headers:
                break
            time.sleep(0.2)  # sooner than Retry-After says: the test has no time to spare


def browser_logged_in(app, email: str):
    browser = app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert browser.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return browser


def test_a_restart_under_load_answers_503_and_leaves_no_half_written_work_order(outage_app, cluster, company):
    app = outage_app
    browser = browser_logged_in(app, company["dispatcher_email"])
    answers, stop = [], threading.Event()
    filers = [threading.Thread(target=keep_filing, args=(technician, company["body"], answers, stop))
              for technician in company["technicians"]]
    for filer in filers:
        filer.start()
    try:
        while sum(status == 201 for _, status, _, _ in answers) < 8:
            time.sleep(0.05)
        cluster.stop()
        # Down: the API says so in JSON, a page says so as a page; both tell when to come back.
        api_answer = company["dispatcher"].get("/me")
        page = browser.get("/invoices/")
        time.sleep(1)
        cluster.start()
        filed_before = sum(status == 201 for _, status, _, _ in answers)
        while sum(status == 201 for _, status, _, _ in answers) < filed_before + 8:
            time.sleep(0.05)
    finally:
        stop.set()
        for filer in filers:
            filer.join(timeout=90)

    assert api_answer.status_code == 503 and api_answer.headers["Retry-After"]
    assert api_answer.json["message"]
    assert page.status_code == 503 and page.headers["Retry-After"]
    assert "unavailable" in page.get_data(as_text=True)
    statuses = Counter((status, retry_after is not None) for _, status, retry_after, _ in answers)
    print("answers while filing:", dict(statuses))
    assert set(statuses) <= {(201, False), (503, True), (409, True)}, statuses
    assert statuses[(503, True)] > 0  # the outage did reach the filers
    final = {key: status for key, status, _, _ in answers}
    assert set(final.values()) == {201}, Counter(final.values())  # every work order went through in the end

    # The same app, not restarted, answers again; and every work order is whole.
    assert company["dispatcher"].get("/me").status_code == 200
    with app.app_context():
        numbers = db.session.scalars(select(WorkOrder.number)).all()
        assert len(numbers) == len(final)  # one per key: no retry filed twice
        invoiced = db.session.scalar(select(func.count()).select_from(Invoice).where(Invoice.work_order_id.is_not(None)))
        assert invoiced == len(numbers)
        moved = db.session.scalars(select(StockMovement.reference).where(StockMovement.reference.in_(numbers))).all()
        assert Counter(moved) == Counter(numbers)
        accrued = db.session.scalars(select(PayAccrual.work_order_id).distinct()).all()
        assert len(accrued) == len(numbers)
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == len(numbers)
        ledger = dict(db.session.execute(
            select(StockMovement.part_id, func.sum(StockMovement.quantity)).group_by(StockMovement.part_id)).all())
        levels = dict(db.session.execute(
            select(StockLevel.part_id, func.sum(StockLevel.quantity)).group_by(StockLevel.part_id)).all())
        assert levels == ledger
        db.session.remove()
