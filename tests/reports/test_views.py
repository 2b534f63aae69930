"""The owner's export page: the accountant's CSV downloaded from a form."""
import csv
import io
from datetime import date
from decimal import Decimal

import pytest


@pytest.fixture
def invoice(shop, jobs_done) -> dict:
    """The API.md example work order's invoice."""
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    jobs_done()
    return shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json


def test_the_owner_downloads_the_quickbooks_invoices(browser_as, shop, invoice):
    owner = browser_as(shop.owner.user)
    assert owner.get("/reports/accounting-export").status_code == 200
    issued_on = date.fromisoformat(invoice["issue_date"])

    answer = owner.get("/reports/accounting-export", query_string={
        "target": "quickbooks", "document": "invoices", "from": invoice["issue_date"], "to": invoice["issue_date"],
    })

    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="quickbooks-invoices-')
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert {row["InvoiceNo"] for row in rows} == {invoice["number"]}
    assert {row["InvoiceDate"] for row in rows} == {issued_on.strftime("%m/%d/%Y")}
    assert [row["ItemDescription"] for row in rows] == [line["description"] for line in invoice["lines"]]
    assert [row["ItemAmount"] for row in rows] == [line["amount"] for line in invoice["lines"]]
    assert sum(Decimal(row["ItemAmount"]) for row in rows) == Decimal(invoice["subtotal"])
    assert sum(Decimal(row["ItemTaxAmount"]) for row in rows) == Decimal(invoice["tax"])


def test_from_after_to_is_shown_again_with_the_error(browser_as):
    owner = browser_as("owner")

    answer = owner.get("/reports/accounting-export", query_string={
        "target": "quickbooks", "document": "invoices", "from": "2026-03-31", "to": "2026-03-01",
    })

    assert answer.status_code == 422 and answer.mimetype == "text/html"
    page = answer.get_data(as_text=True)
    assert 'id="to-error"' in page and "Must be on or after from." in page
    assert 'value="2026-03-31"' in page


def test_a_dispatcher_may_not_export(browser_as):
    dispatcher = browser_as("dispatcher")
    assert dispatcher.get("/reports/accounting-export").status_code == 403
    assert dispatcher.get("/reports/accounting-export?target=xero&document=payments&from=2026-03-01&to=2026-03-31").status_code == 403
