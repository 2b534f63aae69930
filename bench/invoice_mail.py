"""Invoices emailed a second per worker: PDF rendered, sent over SMTP by a real `dispatch worker`; and the PDF alone.

    PYTHONPATH=. .venv/bin/python bench/invoice_mail.py [--invoices 300] [--workers 1] [--server postgresql://root@127.0.0.1]

Drops and makes the PostgreSQL database `dispatch_bench_e_mail`, fills a company (bench/company.py) and files
--invoices work orders through the API in-process with Redis set but no worker running, so their email jobs
wait on the queue. Then it times rendering those invoices' PDFs in-process, and starts --workers `dispatch worker`
processes sending to an SMTP server in this process (aiosmtpd) and times the mail from the first message
to the last (worker start-up left out); the workers are stopped once every invoice has arrived. Results go in bench/README.md.
"""
import argparse
import os
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bench.company import bench_app, fill_company, work_order_body
from bench.filing import DISPATCH, SmtpSink, _fresh_database, _uptime, empty_redis
from dispatch.company.service import company_settings
from dispatch.extensions import db
from dispatch.invoicing.models import Invoice
from dispatch.invoicing.pdf import render_invoice_pdf

DATABASE = "dispatch_bench_e_mail"


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--server", default="postgresql://root@127.0.0.1")
    arguments.add_argument("--redis", default="redis://127.0.0.1:6379/14", help="a Redis database the bench may empty")
    arguments.add_argument("--invoices", type=int, default=300)
    arguments.add_argument("--workers", type=int, default=1)
    options = arguments.parse_args()
    print(f"before: {_uptime()}")
    database_url = _fresh_database(options.server, DATABASE)
    empty_redis(options.redis)
    queue = f"dispatch-bench-mail-{os.getpid()}"
    app = bench_app(database_url, REDIS_URL=options.redis, RQ_QUEUE=queue)
    with app.app_context():
        upgrade()
        company = fill_company(4, visits_each=1)
    _file(app, company, options.invoices)
    _time_rendering(app)
    with SmtpSink() as sink, tempfile.TemporaryDirectory() as folder:
        environment = {
            **os.environ, "DATABASE_URL": database_url, "REDIS_URL": options.redis, "RQ_QUEUE": queue, "SECRET_KEY": "bench",
            "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port), "SMTP_STARTTLS": "false",
        }
        workers = [
            subprocess.Popen([DISPATCH, "worker"], env=environment, stdout=log, stderr=subprocess.STDOUT)
            for log in (open(Path(folder) / f"worker-{n}.log", "w") for n in range(options.workers))
        ]
        deadline = time.monotonic() + 60 + 5 * options.invoices
        try:
            while sink.received < options.invoices and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(timeout=60)
    seconds = (sink.last_at - sink.first_at) if sink.received else 0
    rate = (sink.received - 1) / seconds if seconds else float("nan")
    print(f"{sink.received} of {options.invoices} invoices emailed by {options.workers} worker(s) in {seconds:.1f} s: "
          f"{rate:.1f} invoices/s ({rate / options.workers:.1f} per worker)")
    print(f"after: {_uptime()}")


def _file(app, company, invoices: int) -> None:
    client, rng = app.test_client(), random.Random(7)
    started = time.perf_counter()
    for number in range(invoices):
        technician = company.technicians[number % len(company.technicians)]
        answer = client.post("/api/v1/work-orders", json=work_order_body(rng, company, technician),
                             headers={"Authorization": f"Bearer {technician.token}"})
        assert answer.status_code == 201, answer.json
    print(f"filed {invoices} work orders in {time.perf_counter() - started:.0f} s; their emails wait on the queue")


def _time_rendering(app) -> None:
    with app.app_context():
        # Lines and customer loaded beforehand: the PDF alone is timed.
        query = select(Invoice).options(selectinload(Invoice.lines), selectinload(Invoice.customer))
        invoices = list(db.session.scalars(query.order_by(Invoice.id).limit(100)))
        company = company_settings()
        milliseconds, cpu_milliseconds = [], []
        for invoice in invoices:
            started, cpu_started = time.perf_counter(), time.process_time()
            pdf = render_invoice_pdf(invoice, company)
            milliseconds.append(1000 * (time.perf_counter() - started))
            cpu_milliseconds.append(1000 * (time.process_time() - cpu_started))
    # CPU time too: on a shared machine the wall time mostly measures how busy the others are.
    print(f"PDF rendering, {len(invoices)} invoices ({len(pdf) // 1024} KiB each): median {statistics.median(milliseconds):.1f} ms, "
          f"best {min(milliseconds):.1f} ms, so {1000 / statistics.median(milliseconds):.0f} PDFs/s on one core; "
          f"CPU time median {statistics.median(cpu_milliseconds):.1f} ms, best {min(cpu_milliseconds):.1f} ms")


if __name__ == "__main__":
    main()
