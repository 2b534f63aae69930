"""A page of a long list over the API: GET /invoices and /pay-accruals, 50 rows, on many work orders.

Fills a PostgreSQL database with `bench/profit.py`'s three years of work (an invoice and a pay
accrual per work order) straight in SQL, then times the first and a far page of each list through
the Flask test client (routing, token, queries, JSON; no network), as the owner.

    PYTHONPATH=. .venv/bin/python bench/list_pages.py --database-url postgresql://root@127.0.0.1/EMPTY_DB [--work-orders 100000]

The database is emptied (every table dropped) first.
"""
import argparse
import statistics
import time

import psycopg
from flask_migrate import upgrade

from bench.profit import FILL
from dispatch import create_app
from dispatch.auth import service as auth_service
from dispatch.auth.models import Role

RUNS = 10
PAGE_SIZE = 50


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--database-url", required=True)
    arguments.add_argument("--work-orders", type=int, default=100_000)
    options = arguments.parse_args()
    with psycopg.connect(options.database_url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    app = create_app({"SQLALCHEMY_DATABASE_URI": options.database_url.replace("postgresql://", "postgresql+psycopg://", 1)})
    with app.app_context():
        upgrade()
    with psycopg.connect(options.database_url, autocommit=True) as connection:
        for statement in FILL.split(";\n"):
            if statement.strip():
                connection.execute(statement.replace("%(n)s", str(options.work_orders)))
    with app.app_context():
        owner = auth_service.create_user("owner@bench.test", "Owner", "bench-password", Role.OWNER)
        headers = {"Authorization": f"Bearer {auth_service.issue_token(owner)}"}
    client = app.test_client()
    last_page = options.work_orders // PAGE_SIZE
    for path in ("/api/v1/invoices", "/api/v1/pay-accruals"):
        for page in (1, last_page):
            report(f"{path}?page={page}", lambda: client.get(path, query_string={"page": page, "page_size": PAGE_SIZE}, headers=headers))


def report(name: str, send) -> None:
    seconds = []
    for _ in range(RUNS + 1):
        started = time.perf_counter()
        answer = send()
        seconds.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    total = answer.headers["X-Pagination"]
    print(f"{name}: median {statistics.median(seconds[1:]) * 1000:.0f} ms, best {min(seconds[1:]) * 1000:.0f} ms ({RUNS} runs); {total}")


if __name__ == "__main__":
    main()
