"""Filing throughput: technicians filing work orders over HTTP, beside the same writes as raw SQL (pgbench).

    PYTHONPATH=. .venv/bin/python bench/filing.py [--clients 8,32] [--seconds 20] [--web-concurrency 4]
    PYTHONPATH=. .venv/bin/python bench/filing.py --url http://127.0.0.1:8000 --database-url postgresql://…/EMPTY_DB

Without --url it drops and makes the PostgreSQL database `dispatch_bench_e_filing`, starts `dispatch serve`
(gunicorn) and a `dispatch worker` (RQ on Redis, emailing to an SMTP sink in this process), fills a company
(bench/company.py), then for each client count: N threads, each a technician with a keep-alive HTTP
connection and a bearer token, file work orders for a fixed time (after a warm-up); then pgbench runs
bench/filing.sql with as many clients for as long. With --url, the server is yours: it must serve
--database-url, migrated and empty, with a worker of its own. Results go in bench/README.md.
"""
import argparse
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from redis import Redis

from bench.company import Company, Technician, bench_app, fill_company, work_order_body

DATABASE = "dispatch_bench_e_filing"
HERE = Path(__file__).resolve().parent
DISPATCH = str(Path(sys.executable).parent / "dispatch")


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--server", default="postgresql://root@127.0.0.1", help="PostgreSQL server (without --url)")
    arguments.add_argument("--redis", default="redis://127.0.0.1:6379/14", help="a Redis database the bench may empty")
    arguments.add_argument("--url", help="an app already serving --database-url")
    arguments.add_argument("--database-url", help="with --url: the empty, migrated database it serves")
    arguments.add_argument("--clients", default="8,32")
    arguments.add_argument("--seconds", type=float, default=20)
    arguments.add_argument("--warm-up", type=float, default=3)
    arguments.add_argument("--web-concurrency", type=int, default=None, help="gunicorn workers (default: dispatch serve's)")
    options = arguments.parse_args()
    client_counts = [int(count) for count in options.clients.split(",")]
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; before: {_uptime()}")
    with tempfile.TemporaryDirectory() as folder, SmtpSink() as sink:
        if options.url:
            database_url, url, processes = options.database_url, options.url, []
        else:
            database_url = _fresh_database(options.server)
            empty_redis(options.redis)
        app = bench_app(database_url)
        with app.app_context():
            upgrade()
            company = fill_company(max(client_counts), visits_each=300)
        if not options.url:
            environment = _environment(database_url, options.redis, sink.port, options.web_concurrency)
            url, processes = _start_app(environment, Path(folder))
        try:
            for clients in client_counts:
                app_figures = file_over_http(url, company, clients, options.warm_up, options.seconds)
                raw_figures = file_with_pgbench(database_url, company, clients, options.seconds, Path(folder))
                _report(clients, app_figures, raw_figures)
            print(f"invoices emailed by the worker while it ran: {sink.received}")
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
    print(f"after: {_uptime()}")


def file_over_http(url: str, company: Company, clients: int, warm_up: float, seconds: float) -> dict:
    """`clients` technicians filing back to back; the latencies of the filings started in the measured window."""
    started = time.monotonic()
    window = (started + warm_up, started + warm_up + seconds)
    latencies, failures = [], []
    threads = [
        threading.Thread(target=_file_until, args=(url, company, technician, window, latencies, failures, seed))
        for seed, technician in enumerate(company.technicians[:clients])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        print(f"  {len(failures)} filings failed, e.g. {failures[:3]}")
    return _figures(latencies, seconds)


def _file_until(url, company: Company, technician: Technician, window, latencies: list, failures: list, seed: int) -> None:
    rng = random.Random(seed)
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    headers = {"Authorization": f"Bearer {technician.token}", "Content-Type": "application/json"}
    while (now := time.monotonic()) < window[1]:
        body = json.dumps(work_order_body(rng, company, technician))
        connection.request("POST", "/api/v1/work-orders", body=body, headers=headers)
        answer = connection.getresponse()
        payload = answer.read()
        took = time.monotonic() - now
        if answer.status != 201:
            failures.append((answer.status, payload[:200]))
        elif now >= window[0]:
            latencies.append(took)
    connection.close()


def file_with_pgbench(database_url: str, company: Company, clients: int, seconds: float, folder: Path) -> dict:
    variables = {
        "first_tech": min(t.id for t in company.technicians[:clients]), "last_tech": max(t.id for t in company.technicians[:clients]),
        "first_customer": min(company.customer_ids), "last_customer": max(company.customer_ids),
        "first_part": min(company.part_ids), "last_part": max(company.part_ids),
        "first_visit": company.visit_ids[0], "last_visit": company.visit_ids[1], "year": datetime.now(UTC).year,
    }
    prefix = folder / f"pgbench-{clients}"
    command = ["pgbench", "-n", "-f", str(HERE / "filing.sql"), "-c", str(clients), "-j", str(min(clients, 4)),
               "-T", str(int(seconds)), "--log", f"--log-prefix={prefix}", database_url.replace("+psycopg", "")]
    command += [f"-D{name}={value}" for name, value in variables.items()]
    finished = subprocess.run(command, capture_output=True, text=True)
    if finished.returncode:
        raise SystemExit(finished.stderr)
    output = finished.stdout
    if failed := re.search(r"number of failed transactions: (\d+)", output):
        if int(failed.group(1)):
            print(f"  pgbench: {failed.group(1)} failed transactions")
    latencies = [int(line.split()[2]) / 1e6 for log in folder.glob(f"{prefix.name}*") for line in log.read_text().splitlines()]
    return _figures(latencies, seconds)


def _figures(latencies: list[float], seconds: float) -> dict:
    ordered = sorted(latencies)

    def at(share: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")

    return {"count": len(ordered), "rate": len(ordered) / seconds, "p50": at(0.50), "p95": at(0.95), "p99": at(0.99)}


def _report(clients: int, app: dict, raw: dict) -> None:
    for name, figures in (("app (HTTP)", app), ("raw SQL (pgbench)", raw)):
        print(f"{clients:>3} clients  {name:<18} {figures['count']:>6} filed  {figures['rate']:7.1f}/s  "
              f"p50 {figures['p50']:6.1f} ms  p95 {figures['p95']:6.1f} ms  p99 {figures['p99']:6.1f} ms")
    print(f"{clients:>3} clients  app / raw SQL = {app['rate'] / raw['rate']:.2f}")


class SmtpSink:
    """A local SMTP server that accepts every message and counts them."""

    def __init__(self):
        self.received = 0
        self.first_at = self.last_at = None
        self._controller = Controller(self, hostname="127.0.0.1", port=_free_port())
        self.port = self._controller.port

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        self.last_at = time.monotonic()
        self.first_at = self.first_at or self.last_at
        return "250 Message accepted"

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *_exception):
        self._controller.stop()


def empty_redis(url: str) -> None:
    """Job ids are the outbox rows' ids: left from an earlier run's database, RQ would take a new job
    for the old one (whose key expires with the old result's time to live) and drop it unrun."""
    Redis.from_url(url).flushdb()


def _fresh_database(server: str, name: str = DATABASE) -> str:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


def _environment(database_url: str, redis_url: str, smtp_port: int, web_concurrency: int | None) -> dict:
    environment = {
        **os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "RQ_QUEUE": f"dispatch-bench-{os.getpid()}",
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SMTP_STARTTLS": "false", "SECRET_KEY": "bench",
    }
    if web_concurrency:
        environment["WEB_CONCURRENCY"] = str(web_concurrency)
    return environment


def _start_app(environment: dict, folder: Path) -> tuple[str, list[subprocess.Popen]]:
    port = _free_port()
    with (folder / "serve.log").open("w") as serve_log, (folder / "worker.log").open("w") as worker_log:
        server = subprocess.Popen([DISPATCH, "serve", "--port", str(port)], env=environment, stdout=serve_log, stderr=subprocess.STDOUT)
        worker = subprocess.Popen([DISPATCH, "worker"], env=environment, stdout=worker_log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit((folder / "serve.log").read_text()) from None
            time.sleep(0.2)
    return f"http://127.0.0.1:{port}", [server, worker]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    main()
