"""Monthly net profit on a million work orders (issue 8's goal: under 2 seconds a month).

Fills a throwaway PostgreSQL database with three years of work (work orders, labour, parts,
invoices with lines, pay accruals, payments, credit notes, expenses) straight in SQL, then
times `compute_monthly_profit` and the dashboard's breakdowns for one month.

    .venv/bin/python bench/profit.py [--work-orders 1000000] [--server postgresql://root@127.0.0.1]

The database `dispatch_bench_profit` is dropped and made again on every run.
"""
import argparse
import statistics
import time

import psycopg
from flask_migrate import upgrade

from dispatch import create_app
from dispatch.extensions import db
from dispatch.reports import profitability
from dispatch.reports.service import compute_monthly_profit

DATABASE = "dispatch_bench_profit"
MONTH = "2025-06"
RUNS = 5

# Three years of work from 2024-01-01, spread evenly; every id below is derived from the work order's number i.
FILL = """
INSERT INTO users (email, name, role, password_hash, is_active, hourly_rate, created_at)
  SELECT 'tech' || t || '@bench.test', 'Technician ' || t, 'technician', 'not-a-hash', true, 30 + t % 10, now()
  FROM generate_series(1, 50) t;
INSERT INTO customers (name, email, is_active, created_at)
  SELECT 'Customer ' || c, 'c' || c || '@bench.test', true, now() FROM generate_series(1, 2000) c;
INSERT INTO parts (sku, name, unit_price, unit_cost, is_taxable, is_active, created_at, unit, category)
  SELECT 'P-' || p, 'Part ' || p, 20 + p % 80, 8 + p % 40, true, true, now(), 'each', 'category ' || p % 12
  FROM generate_series(1, 500) p;
INSERT INTO work_orders (number, status, customer_id, technician_id, summary, filed_by_id, filed_at)
  SELECT 'WO-' || i, 'invoiced', 1 + i % 2000, 1 + i % 50, 'Service call', 1 + i % 50,
         timestamptz '2024-01-01 14:00+00' + (i * interval '1095 days') / %(n)s
  FROM generate_series(1, %(n)s) i;
INSERT INTO labour_entries (work_order_id, kind, minutes, is_billable)
  SELECT i, (ARRAY['onsite', 'remote', 'phone'])[1 + i % 3], 30 + i % 150, i % 7 <> 0 FROM generate_series(1, %(n)s) i
  UNION ALL SELECT i, 'travel', 15 + i % 45, true FROM generate_series(1, %(n)s) i;
INSERT INTO part_usages (work_order_id, part_id, location_id, quantity, unit_price, unit_cost)
  SELECT i, 1 + i % 500, 1, 1 + i % 3, 20 + i % 80, 8 + i % 40 FROM generate_series(1, %(n)s) i
  UNION ALL SELECT i, 1 + (i * 7) % 500, 1, 1, 35, 12.5 FROM generate_series(1, %(n)s, 2) i;
INSERT INTO invoices (number, status, customer_id, work_order_id, work_order_number, issue_date, due_date, subtotal,
                      tax_rate_percent, tax, total, amount_paid, created_at, voided_at)
  SELECT 'INV-' || w.id, CASE WHEN w.id % 250 = 0 THEN 'void' WHEN w.id % 2 = 0 THEN 'paid' ELSE 'issued' END,
         w.customer_id, w.id, w.number, w.filed_at::date, w.filed_at::date + 30, 180 + w.id % 300,
         8.25, round((180 + w.id % 300) * 0.0825, 2), round((180 + w.id % 300) * 1.0825, 2),
         CASE WHEN w.id % 2 = 0 AND w.id % 250 <> 0 THEN round((180 + w.id % 300) * 1.0825, 2) ELSE 0 END,
         w.filed_at, CASE WHEN w.id % 250 = 0 THEN w.filed_at + interval '20 days' END
  FROM work_orders w;
INSERT INTO invoice_lines (invoice_id, position, kind, description, quantity, unit_price, amount, is_taxable, labour_kind)
  SELECT id, 1, 'labor', 'On-site labour', 1.5, 120, 180 + id % 300, true, (ARRAY['onsite', 'remote', 'phone'])[1 + id % 3]
  FROM invoices;
INSERT INTO pay_accruals (technician_id, work_order_id, kind, hours, rate, amount, worked_on, accrued_on, created_at)
  SELECT w.technician_id, w.id, 'regular', 2, 32, 64, w.filed_at::date, w.filed_at::date, w.filed_at FROM work_orders w;
INSERT INTO payments (invoice_id, amount, method, received_on, recorded_at)
  SELECT id, total, 'card', issue_date + 12, created_at FROM invoices WHERE status = 'paid';
INSERT INTO credit_notes (number, invoice_id, customer_id, issue_date, reason, subtotal, tax, total, created_at)
  SELECT 'CN-' || id, id, customer_id, issue_date + 5, 'Goodwill', 10, 0.83, 10.83, created_at FROM invoices WHERE id % 100 = 1;
INSERT INTO expenses (category, amount, spent_on, is_monthly, created_by_id, created_at)
  SELECT 'fuel', 150 + d % 50, date '2024-01-01' + d, false, 1, now() FROM generate_series(0, 1094) d;
ANALYZE;
"""


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--work-orders", type=int, default=1_000_000)
    arguments.add_argument("--server", default="postgresql://root@127.0.0.1")
    options = arguments.parse_args()
    with psycopg.connect(f"{options.server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    url = f"{options.server}/{DATABASE}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1)})
    with app.app_context():
        upgrade()
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        for statement in FILL.split(";\n"):
            if statement.strip():
                connection.execute(statement.replace("%(n)s", str(options.work_orders)))
    print(f"filled {options.work_orders:,} work orders in {time.perf_counter() - started:.0f} s")
    with app.app_context():
        report("compute_monthly_profit", lambda: compute_monthly_profit(MONTH))
        report("profit by customer", lambda: profitability.by_customer(MONTH))
        report("profit by technician", lambda: profitability.by_technician(MONTH))
        report("labour by kind", lambda: profitability.by_labour_kind(MONTH))
        print(f"net profit {MONTH}: {compute_monthly_profit(MONTH).net_profit}")
        db.session.remove()
        db.engine.dispose()


def report(name: str, run) -> None:
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
        db.session.rollback()
    print(f"{name}: median {statistics.median(seconds) * 1000:.0f} ms, slowest {max(seconds) * 1000:.0f} ms ({RUNS} runs)")


if __name__ == "__main__":
    main()
