"""The `dispatch` command: serve (with the demo), create-user, worker, cron."""
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.cron import CronScheduler
from rq.serializers import JSONSerializer
from sqlalchemy import func, select

from dispatch.auth.models import User
from dispatch.cli import main
from dispatch.core.time import utcnow
from dispatch.demo import DEMO_PASSWORD, load_demo_company
from dispatch.extensions import db
from dispatch.inventory.models import StockLevel, StockLocation
from dispatch.scheduling.models import Appointment
from tests.conftest import worker_environment

DISPATCH = str(Path(sys.executable).parent / "dispatch")


def run_command(app, *args):
    return app.test_cli_runner().invoke(main, list(args))


def test_create_user_adds_a_user_who_can_log_in(app, client):
    result = run_command(app, "create-user", "--email", "Olivia@Example.test", "--password", "long enough", "--role", "owner")
    assert result.exit_code == 0, result.output
    assert "Created owner olivia@example.test" in result.output
    answer = client.post("/api/v1/auth/tokens", json={"email": "olivia@example.test", "password": "long enough"})
    assert answer.status_code == 201
    assert answer.json["user"]["name"] == "Olivia"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "x@example.test", "--password", "short", "--role", "owner"], "password"),
        (["--email", "not-an-email", "--password", "long enough", "--role", "owner"], "email"),
        (["--email", "x@example.test", "--password", "long enough", "--role", "janitor"], "janitor"),
    ],
)
def test_create_user_refuses_bad_input_and_writes_nothing(app, args, message):
    result = run_command(app, "create-user", *args)
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_create_user_refuses_a_taken_email(app, make_user):
    taken = make_user().email
    result = run_command(app, "create-user", "--email", taken, "--password", "long enough", "--role", "owner")
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_the_demo_company_has_staff_vans_stock_and_a_week_of_appointments(app_context):
    logins = load_demo_company()
    assert sorted(role for role, _email, _password in logins) == ["dispatcher", "owner", "technician", "technician", "technician"]
    vans = db.session.scalars(select(StockLocation).where(StockLocation.kind == "van")).all()
    assert len(vans) == 3
    for van in vans:
        assert db.session.scalar(select(func.sum(StockLevel.quantity)).where(StockLevel.location_id == van.id)) > 0
    upcoming = db.session.scalar(
        select(func.count(Appointment.id)).where(Appointment.starts_at < utcnow() + timedelta(days=8))
    )
    assert upcoming >= 10
    assert load_demo_company() is None, "a second run must not add a second company"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_demo_migrates_loads_the_demo_and_serves_it_with_gunicorn(tmp_path):
    """The README's first command, end to end, on a database it has never seen."""
    port = free_port()
    environ = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "SECRET_KEY": "test-only",
        "WEB_CONCURRENCY": "2",
    }
    environ.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [DISPATCH, "serve", "--demo", "--port", str(port)],
        env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/login").status == 200
        credentials = json.dumps({"email": "owner@demo.dispatch.test", "password": DEMO_PASSWORD}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/auth/tokens", data=credentials, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 201
        # Each request is its own: after the owner logs in on the web, a stranger is still nobody.
        for _ in range(4):  # each worker process logs the owner in at least once
            _log_in_on_the_web(port, "owner@demo.dispatch.test")
        for _ in range(4):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/settings", timeout=10) as answer:
                assert "/login" in answer.geturl()
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/me", timeout=10)
            assert refused.value.code == 401
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    assert "owner@demo.dispatch.test" in output
    assert "gunicorn" in output.lower()


def test_the_access_log_shows_customer_links_and_calendar_feeds_without_their_secret(tmp_path):
    port = free_port()
    environ = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}", "SECRET_KEY": "test-only",
               "WEB_CONCURRENCY": "1"}
    environ.pop("REDIS_URL", None)
    server = subprocess.Popen([DISPATCH, "serve", "--port", str(port)], env=environ, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    secret_in = {path: secrets.token_urlsafe(32) for path in ("/i/", "/e/", "/calendar/")}
    try:
        _wait_for(f"http://127.0.0.1:{port}/login")
        for path, secret in secret_in.items():
            suffix = ".ics" if path == "/calendar/" else ""
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}{secret}{suffix}",
                                             headers={"Referer": f"http://127.0.0.1:{port}/i/{secret}"})
            with pytest.raises(urllib.error.HTTPError):  # no such link: 404, logged all the same
                urllib.request.urlopen(request, timeout=10)
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    assert [secret for secret in secret_in.values() if secret in output] == []
    assert all(f"{path}[secret]" in output for path in secret_in), output


def _log_in_on_the_web(port: int, email: str) -> None:
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with browser.open(f"http://127.0.0.1:{port}/login", timeout=10) as page:
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
    form = urllib.parse.urlencode({"email": email, "password": DEMO_PASSWORD, "csrf_token": token}).encode()
    with browser.open(f"http://127.0.0.1:{port}/login", data=form, timeout=10) as answer:
        assert "/login" not in answer.geturl()


def _wait_for(url: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return answer
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.redis
def test_the_worker_runs_jobs_inside_the_app(app):
    """A job that needs the database runs in `dispatch worker` as it would in production."""
    queue = Queue(app.config["RQ_QUEUE"], connection=Redis.from_url(os.environ["REDIS_URL"]), serializer=JSONSerializer)
    job = queue.enqueue("dispatch.demo.load_demo_company")
    finished = subprocess.run([DISPATCH, "worker", "--burst"], env=worker_environment(app), timeout=120, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    job.refresh()
    assert job.get_status() == "finished", job.latest_result().exc_string if job.latest_result() else None
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 5


@pytest.mark.redis
def test_cron_runs_until_told_to_stop(app):
    scheduler = subprocess.Popen([DISPATCH, "cron"], env=worker_environment(app), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Wait until the scheduler has registered itself in Redis, i.e. is in its loop: a fixed sleep
    # signalled it before its handler existed on a loaded machine, and a signal landing while it
    # logs is swallowed by logging (rq's handler raises to stop it).
    started = ""
    for line in scheduler.stdout:
        started += line
        if "registering birth" in line:
            break
    name = re.search(r"CronScheduler (\S+): registering birth", started).group(1)
    redis = Redis.from_url(os.environ["REDIS_URL"])
    deadline = time.monotonic() + 30
    while name not in [running.name for running in CronScheduler.all(redis)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert scheduler.poll() is None, started + scheduler.communicate()[0]
    scheduler.send_signal(signal.SIGTERM)
    output = started + scheduler.communicate(timeout=30)[0]
    assert scheduler.returncode == 0, output
    assert "received shutdown signal 15" in output


@pytest.mark.redis
def test_cron_hands_waiting_work_to_the_workers(app, shop, smtp_server, monkeypatch, jobs_done):
    """A work order filed while Redis was down is emailed once `dispatch cron` runs: the cron
    job reaches a real worker (same serializer), which sweeps the outbox."""
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    assert shop.technician.post("/work-orders", json=shop.work_order()).status_code == 201
    monkeypatch.undo()
    assert smtp_server.wait_for(1, seconds=1) == []
    scheduler = subprocess.Popen([DISPATCH, "cron"], env=worker_environment(app), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert len(smtp_server.wait_for(1, seconds=60)) == 1
    finally:
        scheduler.send_signal(signal.SIGTERM)
        scheduler.communicate(timeout=30)
    jobs_done()
    assert len(smtp_server.messages) == 1


def run_on_a_worker(app, environment: dict, *functions: str) -> tuple[int, list]:
    """Start `dispatch worker` on a queue of its own, run each function (by name, no arguments but 0 for os.nice)
    as a job → (the worker's niceness while it runs, the jobs' results)."""
    queue_name = f"worker-test-{os.getpid()}-{time.monotonic_ns()}"
    queue = Queue(queue_name, connection=Redis.from_url(os.environ["REDIS_URL"]), serializer=JSONSerializer)
    jobs = [queue.enqueue(function, *([0] if function == "os.nice" else [])) for function in functions]
    worker = subprocess.Popen([DISPATCH, "worker"], env={**environment, "RQ_QUEUE": queue_name},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while not all(job.get_status(refresh=True) in ("finished", "failed") for job in jobs):
            assert worker.poll() is None and time.monotonic() < deadline, worker.communicate(timeout=30)[0]
            time.sleep(0.1)
        niceness = os.getpriority(os.PRIO_PROCESS, worker.pid)
    finally:
        worker.terminate()
        worker.communicate(timeout=30)
    return niceness, [job.return_value() for job in jobs]


@pytest.mark.redis
@pytest.mark.parametrize(("setting", "lowered_by"), [(None, 10), ("0", 0)])
def test_the_worker_and_its_work_horses_give_way_to_the_web_server(app, setting, lowered_by):
    """Rendering and emailing PDFs in the background must not slow technicians filing on the same small server."""
    environment = {key: value for key, value in worker_environment(app).items() if key != "WORKER_NICENESS"}
    if setting is not None:
        environment["WORKER_NICENESS"] = setting
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    niceness, [work_horse_niceness] = run_on_a_worker(app, environment, "os.nice")
    assert niceness == ours + lowered_by
    assert work_horse_niceness == ours + lowered_by  # os.nice(0) in the job: the work horse's own


@pytest.mark.redis
def test_the_work_horses_inherit_the_parsed_fonts(app):
    """Each job runs in a work horse forked from the worker: one that has to parse the fonts again renders slowly."""
    _niceness, [fonts] = run_on_a_worker(app, worker_environment(app), "dispatch.invoicing.pdf_fonts.parsed_font.cache_info")
    *_counts, parsed = fonts
    assert parsed == 2  # regular and bold, before this job rendered anything
