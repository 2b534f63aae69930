"""The lists that grow with every filing are paged in SQL: a page reads its own rows (LIMIT/OFFSET), never the whole list.

Each list is given more rows than a page, several of them tied on what it is ordered by, so an order
without a tie-breaker could show a row on two pages and miss another.
"""
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import pytest
from sqlalchemy import event

from dispatch.core.pagination import MAX_PAGE_SIZE
from dispatch.extensions import db
from tests.conftest import ApiClient, wait_for_jobs

PAGE_SIZE = 2


@dataclass
class Listed:
    """A list endpoint filled with rows: where to ask, who asks, the table its rows come from and the order they keep."""

    path: str
    reader: ApiClient
    table: str
    order: Callable[[dict], tuple]
    query: dict | None = None


def later_first(value: str) -> float:
    """An order key putting the later of two ISO dates or times first."""
    return -datetime.fromisoformat(value).timestamp()


def invoices(shop, app, **_) -> Listed:
    for _ in range(3):  # issued the same day: only the id tells them apart
        assert shop.technician.post("/work-orders", json=shop.work_order(parts=[])).status_code == 201
    wait_for_jobs(app)  # the worker emailing an invoice would change it between two pages
    return Listed("/invoices", shop.dispatcher, "invoices", lambda row: (later_first(row["issue_date"]), -row["id"]))


def pay_accruals(shop, app, **_) -> Listed:
    for _ in range(3):  # a line of hours per job, accrued the same day
        assert shop.technician.post("/work-orders", json=shop.work_order(parts=[])).status_code == 201
    wait_for_jobs(app)
    return Listed("/pay-accruals", shop.owner, "pay_accruals", lambda row: (row["accrued_on"], row["id"]))


def expenses(shop, **_) -> Listed:
    for spent_on in ("2027-01-05", "2027-01-05", "2027-01-02", "2027-01-20", "2027-01-05"):
        assert shop.owner.post("/expenses", json={"category": "fuel", "amount": "40.00", "spent_on": spent_on}).status_code == 201
    return Listed("/expenses", shop.owner, "expenses", lambda row: (row["spent_on"], row["id"]), {"month": "2027-01"})


def parts(shop, make_part, **_) -> Listed:
    for number in (3, 1, 2):
        make_part(sku=f"PAGE-{number}")
    return Listed("/parts", shop.dispatcher, "parts", lambda row: row["sku"])


def parts_seen_by_a_technician(shop, make_part, **_) -> Listed:
    listed = parts(shop, make_part)
    return Listed(listed.path, shop.technician, listed.table, listed.order)


def stock(shop, make_part, **_) -> Listed:
    for _ in range(3):
        make_part(stock=1, location_id=shop.warehouse_id)
    return Listed("/stock", shop.dispatcher, "stock_levels", lambda row: (row["location_id"], row["part_id"]))


def payroll_runs(shop, **_) -> Listed:
    for starts_on in ("2026-03-02", "2026-03-16", "2026-03-30"):
        assert shop.owner.post("/payroll-runs", json={"starts_on": starts_on}).status_code == 201
    return Listed("/payroll-runs", shop.owner, "payroll_runs", lambda row: later_first(row["ends_on"]))


def pay_statements(shop, api_as, make_user, **_) -> Listed:
    technicians = [shop.technician.user.id, *(api_as(make_user("technician")).user.id for _ in range(2))]
    for starts_on, worked_on, paid in (("2026-03-02", "2026-03-05", technicians), ("2026-03-16", "2026-03-20", technicians[:2])):
        for technician_id in paid:  # one run's statements end the same day: the id orders them
            bonus = {"technician_id": technician_id, "kind": "bonus", "amount": "25.00", "description": "Reviews", "worked_on": worked_on}
            assert shop.owner.post("/pay-adjustments", json=bonus).status_code == 201
        assert shop.owner.post("/payroll-runs", json={"starts_on": starts_on}).status_code == 201
    return Listed("/pay-statements", shop.owner, "pay_statements", lambda row: (later_first(row["ends_on"]), row["id"]))


def contacts(shop, **_) -> Listed:
    for occurred_at in ("2026-11-20T15:30:00+00:00", "2026-11-18T09:00:00+00:00", "2026-11-20T15:30:00+00:00"):
        _log_contact(shop, occurred_at=occurred_at)
    return Listed(f"/customers/{shop.customer['id']}/contacts", shop.dispatcher, "contacts", lambda row: (later_first(row["occurred_at"]), -row["id"]))


def action_steps(shop, **_) -> Listed:
    due = ("2026-12-03", "2026-12-01", "2026-12-03")
    _log_contact(shop, action_steps=[{"kind": "return_call", "due_on": on, "assignee_id": shop.dispatcher.user.id} for on in due])
    return Listed("/action-steps", shop.dispatcher, "action_steps", lambda row: (row["due_on"], row["id"]))


def documents(shop, **_) -> Listed:
    for number in range(3):
        _upload(shop, f"Report {number}")
    return Listed(f"/customers/{shop.customer['id']}/documents", shop.owner, "client_documents", lambda row: (later_first(row["added_at"]), -row["id"]))


def document_reads(shop, **_) -> Listed:
    document = _upload(shop, "Engineer's report")
    for reader in (shop.owner, shop.dispatcher, shop.owner):
        assert reader.get(f"/documents/{document['id']}").status_code == 200
    return Listed(f"/documents/{document['id']}/reads", shop.owner, "document_reads", lambda row: later_first(row["read_at"]))


def _log_contact(shop, **changes) -> None:
    contact = {"kind": "phone", "participants": "Owner", "minutes": 10, "payer": "no_charge", **changes}
    assert shop.dispatcher.post(f"/customers/{shop.customer['id']}/contacts", json=contact).status_code == 201


def _upload(shop, title: str) -> dict:
    form = {"title": title, "file": (io.BytesIO(b"%PDF-1.4\n% a report\n"), "report.pdf")}
    answer = shop.dispatcher.post(f"/customers/{shop.customer['id']}/documents", data=form, content_type="multipart/form-data")
    assert answer.status_code == 201, answer.json
    return answer.json


FILLED_LISTS = (
    invoices, pay_accruals, expenses, parts, parts_seen_by_a_technician, stock, payroll_runs, pay_statements,
    contacts, action_steps, documents, document_reads,
)


@pytest.fixture
def statements_sent(app):
    """statements_sent(send) → (statement, its bound values in order) of each SQL statement `send()` runs."""

    def capture(send) -> list[tuple[str, list]]:
        sent = []

        def on_statement(_connection, _cursor, statement, parameters, *_args):
            sent.append((statement, list(parameters.values() if isinstance(parameters, dict) else parameters)))

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", on_statement)
        try:
            send()
        finally:
            event.remove(engine, "before_cursor_execute", on_statement)
        return sent

    return capture


@pytest.fixture
def uploads(app, monkeypatch, tmp_path):
    """Uploaded files kept in this test's own directory."""
    monkeypatch.setitem(app.config, "FILES_DIR", str(tmp_path / "files"))


@pytest.mark.parametrize("fill", FILLED_LISTS, ids=lambda fill: fill.__name__)
def test_paging_reads_each_page_in_sql_and_returns_every_row_once_in_order(
    fill, app, shop, make_part, make_user, api_as, uploads, statements_sent
):
    listed = fill(shop=shop, app=app, make_part=make_part, make_user=make_user, api_as=api_as)
    query = listed.query or {}
    whole = listed.reader.get(listed.path, query_string={**query, "page_size": MAX_PAGE_SIZE})
    assert whole.status_code == 200, whole.json
    rows = whole.json
    assert len(rows) > PAGE_SIZE, rows
    assert rows == sorted(rows, key=listed.order)

    pages, page = [], 1
    while page is not None:
        answers = []
        sent = statements_sent(
            lambda: answers.append(listed.reader.get(listed.path, query_string={**query, "page": page, "page_size": PAGE_SIZE}))
        )
        (answer,) = answers
        assert answer.status_code == 200, answer.json
        assert_read_one_page(sent, listed.table, offset=(page - 1) * PAGE_SIZE)
        pages += answer.json
        header = json.loads(answer.headers["X-Pagination"])
        assert header["total"] == len(rows)
        page = header.get("next_page")
    assert pages == rows


def assert_read_one_page(sent: list[tuple[str, list]], table: str, offset: int) -> None:
    """The list's rows were read a page at a time: LIMIT the page's size, OFFSET the rows before it (the last two values bound)."""
    reads = [(statement, values) for statement, values in sent if re.search(rf"\bFROM {table}\b", statement)]
    paged = [statement for statement, values in reads if re.search(r"\bLIMIT\b", statement) and values[-2:] == [PAGE_SIZE, offset]]
    assert paged, f"no read of {table} with LIMIT {PAGE_SIZE} OFFSET {offset}:\n" + "\n".join(f"{statement} {values}" for statement, values in reads)


def test_a_technician_page_of_parts_reads_no_costs(shop, statements_sent):
    answers = []
    sent = statements_sent(lambda: answers.append(shop.technician.get("/parts", query_string={"page": 1, "page_size": 1})))
    assert [set(part) for part in answers[0].json] == [{"id", "sku", "name", "unit", "category", "unit_price", "is_taxable", "is_active"}]
    assert not [statement for statement, _ in sent if "FROM parts" in statement and "unit_cost" in statement]
