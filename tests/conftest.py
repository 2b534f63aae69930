"""Test harness: one migrated database per run, emptied back to its reference rows after each test.

Runs against DATABASE_URL (PostgreSQL in CI's second pass) or, without it, an
SQLite file of its own. With REDIS_URL set, jobs go through real RQ workers.
"""
import os
import re
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import fsspec
import pytest
from flask_migrate import downgrade, upgrade
from hypothesis import settings as hypothesis_settings
from rq import Worker
from sqlalchemy import insert, select, text

from dispatch import create_app
from dispatch.auth import service as auth_service
from dispatch.auth.models import Role
from dispatch.extensions import db
from dispatch.jobs import job_queue
from tests.smtp import SmtpServer

# argon2id at its minimum cost: hundreds of logins in a test run stay fast.
FAST_PASSWORD_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}
PASSWORD = "correct horse battery"

# Property tests (hypothesis, schemathesis) try the same examples on every run, so CI is stable;
# HYPOTHESIS_PROFILE=explore searches afresh each time.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(config, items):
    missing = {
        "postgres": not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        "redis": not os.environ.get("REDIS_URL"),
    }
    for item in items:
        for marker, is_missing in missing.items():
            if marker in item.keywords and is_missing:
                item.add_marker(pytest.mark.skip(reason=f"needs {marker}: set {'DATABASE_URL' if marker == 'postgres' else 'REDIS_URL'}"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'dispatch.sqlite3'}"


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on localhost; every test starts with an empty inbox."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app(database_url, smtp_server, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-only",  # as worker_environment(): both sign the customers' links
            "SQLALCHEMY_DATABASE_URI": database_url if not database_url.startswith("postgres") else _psycopg(database_url),
            "MAIL_OUTBOX_DIR": str(instance / "outbox"),
            "FILES_DIR": str(instance / "files"),
            "RQ_QUEUE": f"dispatch-test-{uuid.uuid4().hex[:8]}",
            **smtp_server.settings,
            **FAST_PASSWORD_HASHING,
            "JOB_RETRY_INTERVALS": [1, 1],
        }
    )
    with app.app_context():
        # Down and up again: a database left dirty by an interrupted run starts empty.
        upgrade()
        downgrade(revision="base")
        upgrade()
        app.extensions["reference_rows"] = _reference_rows()
        db.session.remove()
    return app


def worker_environment(app) -> dict:
    """What a `dispatch worker` (or any subprocess of ours) needs to act on the test database."""
    config = app.config
    return {
        **os.environ,
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "RQ_QUEUE": config["RQ_QUEUE"],
        "SECRET_KEY": "test-only",
        "SMTP_HOST": config["SMTP_HOST"],
        "SMTP_PORT": str(config["SMTP_PORT"]),
        "SMTP_STARTTLS": "false",
        "JOB_RETRY_INTERVALS": ",".join(str(seconds) for seconds in config["JOB_RETRY_INTERVALS"]),
        # The tests wait on their workers with deadlines: niced on a machine busy with other suites, they would miss them.
        "WORKER_NICENESS": "0",
    }


@pytest.fixture(scope="session", autouse=True)
def rq_worker(app, tmp_path_factory):
    """With REDIS_URL, a real `dispatch worker` runs the jobs for the whole test session."""
    if not app.config["REDIS_URL"]:
        yield None
        return
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "dispatch"), "worker"],
            env=worker_environment(app), stdout=output, stderr=subprocess.STDOUT,
        )
    # Ready before the first test: its start-up sweep must not pass for work a test meant for later.
    queue = job_queue(app)
    deadline = time.monotonic() + 60
    while not Worker.all(queue=queue):
        assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    yield worker
    worker.terminate()
    worker.wait(timeout=30)


def _psycopg(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def _reference_rows() -> dict:
    """The rows the migrations create (settings, main warehouse): put back after every test."""
    return {
        table: [dict(row) for row in db.session.execute(select(table)).mappings()]
        for table in db.metadata.sorted_tables
        if db.session.execute(select(table).limit(1)).first()
    }


def wait_for_jobs(app, seconds: float = 60) -> None:
    """With a real worker: wait until it has run every job queued so far, retries included."""
    if not app.config["REDIS_URL"]:
        return
    queue = job_queue(app)
    registries = (queue.started_job_registry, queue.scheduled_job_registry)
    deadline = time.monotonic() + seconds
    idle_checks = 0
    # Idle twice in a row, not just once: a job being handed between lists must not look like none.
    while idle_checks < 2:
        assert time.monotonic() < deadline, "the worker did not finish its jobs in time"
        waiting = queue.count + queue.connection.llen(queue.intermediate_queue_key)
        is_idle = not waiting and not any(registry.count for registry in registries)
        idle_checks = idle_checks + 1 if is_idle else 0
        if idle_checks < 2:
            time.sleep(0.02)


@pytest.fixture
def jobs_done(app):
    """jobs_done() returns once background jobs have run (at once when they run inline)."""
    return lambda seconds=60: wait_for_jobs(app, seconds)


@pytest.fixture(autouse=True)
def clean_database(request, app, smtp_server):
    smtp_server.clear()
    yield
    # A job still running would hold locks the cleaning waits on.
    wait_for_jobs(app)
    with app.app_context():
        db.session.remove()
        tables = db.metadata.sorted_tables
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("TRUNCATE " + ", ".join(table.name for table in tables) + " CASCADE"))
            else:
                for table in reversed(tables):
                    connection.execute(table.delete())
            for table, rows in app.extensions["reference_rows"].items():
                connection.execute(insert(table), rows)


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(params=["disk", "memory"])
def file_store(request, app, monkeypatch, tmp_path):
    """Uploads kept on disk under FILES_DIR (the default), then in a non-disk fsspec store (FILES_URL=memory://…);
    → a function listing the files the store holds."""
    monkeypatch.setitem(app.config, "FILES_DIR", str(tmp_path / "files"))
    if request.param == "memory":
        monkeypatch.setitem(app.config, "FILES_URL", f"memory://dispatch-{uuid.uuid4().hex[:8]}")
    filesystem, root = fsspec.core.url_to_fs(app.config["FILES_URL"] or app.config["FILES_DIR"])
    yield lambda: filesystem.find(root)
    if request.param == "memory" and filesystem.exists(root):
        filesystem.rm(root, recursive=True)


@pytest.fixture
def make_user(app):
    """make_user(role="technician", email=..., hourly_rate=...) → the saved User."""
    counter = iter(range(1, 10_000))

    def make(role: str = Role.TECHNICIAN, **overrides):
        number = next(counter)
        fields = {
            "email": f"{role}{number}-{uuid.uuid4().hex[:6]}@example.test",
            "name": f"{role.title()} {number}",
            "password": PASSWORD,
            "role": Role(role),
            "hourly_rate": Decimal("30.00") if role == Role.TECHNICIAN else None,
        }
        fields.update(overrides)
        with app.app_context():
            user = auth_service.create_user(**fields)
            # Loaded and detached: the test reads it after this app context is gone.
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


class ApiClient:
    """The JSON API as one user sees it: every request carries their bearer token."""

    def __init__(self, client, token: str, user):
        self.client = client
        self.token = token
        self.user = user

    def _call(self, method: str, path: str, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self._call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self._call("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self._call("PATCH", path, **kwargs)

    def put(self, path, **kwargs):
        return self._call("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self._call("DELETE", path, **kwargs)


@pytest.fixture
def api_as(app, make_user):
    """api_as("owner") or api_as(user) → an ApiClient logged in through POST /auth/tokens."""

    def log_in(role_or_user):
        user = make_user(role_or_user) if isinstance(role_or_user, str) else role_or_user
        client = app.test_client()
        answer = client.post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD})
        assert answer.status_code == 201, answer.json
        return ApiClient(client, answer.json["token"], user)

    return log_in


def csrf_token(page) -> str:
    """The CSRF token of a page's form, as a browser would send it back."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


@pytest.fixture
def browser_as(app, make_user):
    """browser_as("dispatcher") or browser_as(user) → a test client logged in through the login form."""

    def log_in(role_or_user):
        user = make_user(role_or_user) if isinstance(role_or_user, str) else role_or_user
        browser = app.test_client()
        form = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(browser.get("/login"))}
        assert browser.post("/login", data=form).status_code == 302
        return browser

    return log_in


@pytest.fixture
def owner_api(api_as):
    return api_as(Role.OWNER)


@pytest.fixture
def dispatcher_api(api_as):
    return api_as(Role.DISPATCHER)


@pytest.fixture
def technician_api(api_as):
    return api_as(Role.TECHNICIAN)


@pytest.fixture
def make_customer(dispatcher_api):
    def make(**overrides):
        fields = {"name": "Harbor View Dental", "email": "office@harborview.example", "address": "12 Harbor Rd"}
        fields.update(overrides)
        answer = dispatcher_api.post("/customers", json=fields)
        assert answer.status_code == 201, answer.json
        return answer.json

    return make


@pytest.fixture
def make_part(dispatcher_api):
    """make_part(stock=5, location_id=...) → the part as the API returns it, with stock received."""
    counter = iter(range(1, 10_000))

    def make(stock: int = 0, location_id: int | None = None, **overrides):
        fields = {"sku": f"PART-{next(counter)}", "name": "Capacitor 45/5", "unit_price": "42.00", "unit_cost": "11.80"}
        fields.update(overrides)
        answer = dispatcher_api.post("/parts", json=fields)
        assert answer.status_code == 201, answer.json
        part = answer.json
        if stock:
            receipt = {
                "part_id": part["id"],
                "location_id": location_id or warehouse_id(dispatcher_api),
                "quantity": stock,
                "unit_cost": fields["unit_cost"],
            }
            assert dispatcher_api.post("/stock/receipts", json=receipt).status_code == 201
        return part

    return make


def warehouse_id(api) -> int:
    return next(location["id"] for location in api.get("/stock-locations").json if location["kind"] == "warehouse")


def van_id(api, technician_id: int) -> int:
    return next(location["id"] for location in api.get("/stock-locations").json if location["technician_id"] == technician_id)


from tests.shop import shop  # noqa: E402,F401  (a fixture shared by the work-order, invoicing and report tests)
