"""The accountant's export: the CSV files parse, in the tools' layouts, and add up to the ledger.

The ledger for March 2026, built for these tests (the shop of tests/shop.py, tax 8.25 % on parts):
    INV A  03/01 (first day)  the API.md work order   subtotal 515.88  tax 22.52 (on 189.00 + 84.00 of parts)
    INV B  03/31 (last day)   45 min on site, 1 capacitor  93.75 + 42.00 = 135.75  tax 3.47 (42.00 × 8.25 % = 3.465)
    INV C  02/28 (day before), INV D 04/01 (day after): outside; INV E 03/15: void
    invoices in March         515.88 + 135.75 = 651.63, tax 22.52 + 3.47 = 25.99
    payments received         100.00 (03/01) + 200.00 (03/31) = 300.00; 50.00 reversed; 02/28 and 04/01 outside
    credit notes issued       CN 1 on A 03/31: 50.00 + 4.13; CN 3 on C 03/01: 20.00 + 1.65 = 70.00 + 5.78; CN 2 04/01 outside
The payments and credit notes are written straight to the tables: their services are still being written.
"""
import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select

from dispatch.extensions import db
from dispatch.invoicing.models import CreditNote, Invoice, InvoiceStatus, Payment

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}

HEADERS = {
    ("quickbooks", "invoices"): [
        "InvoiceNo", "Customer", "InvoiceDate", "DueDate", "Memo", "Item(Product/Service)", "ItemDescription",
        "ItemQuantity", "ItemRate", "ItemAmount", "ItemTaxCode", "ItemTaxAmount",
    ],
    ("quickbooks", "credit_notes"): [
        "CreditMemoNo", "Customer", "CreditMemoDate", "Memo", "ItemDescription", "ItemAmount", "ItemTaxCode", "ItemTaxAmount",
    ],
    ("quickbooks", "payments"): ["Date", "Description", "Amount"],
    ("xero", "invoices"): [
        "*ContactName", "EmailAddress", "*InvoiceNumber", "Reference", "*InvoiceDate", "*DueDate", "*Description",
        "*Quantity", "*UnitAmount", "*AccountCode", "*TaxType", "TaxAmount",
    ],
    ("xero", "credit_notes"): [
        "*ContactName", "EmailAddress", "*CreditNoteNumber", "Reference", "*CreditNoteDate", "*Description",
        "*Quantity", "*UnitAmount", "*AccountCode", "*TaxType", "TaxAmount",
    ],
    ("xero", "payments"): ["*Date", "*Amount", "Payee", "Description", "Reference"],
}

# The same facts under each tool's headers.
COLUMNS = {
    "quickbooks": {
        "invoice": "InvoiceNo", "invoice_date": "InvoiceDate", "tax": "ItemTaxAmount", "credit_note": "CreditMemoNo",
        "credit_date": "CreditMemoDate", "credit_amount": "ItemAmount", "payment_date": "Date", "payment_amount": "Amount",
    },
    "xero": {
        "invoice": "*InvoiceNumber", "invoice_date": "*InvoiceDate", "tax": "TaxAmount", "credit_note": "*CreditNoteNumber",
        "credit_date": "*CreditNoteDate", "credit_amount": "*UnitAmount", "payment_date": "*Date", "payment_amount": "*Amount",
    },
}
DAY_FORMATS = {"quickbooks": "%m/%d/%Y", "xero": "%d/%m/%Y"}


def line_amount(target: str, row: dict) -> Decimal:
    """What the tool books for the line: QuickBooks reads the amount, Xero works out quantity × unit amount."""
    if target == "quickbooks":
        return Decimal(row["ItemAmount"])
    return (Decimal(row["*Quantity"]) * Decimal(row["*UnitAmount"])).quantize(Decimal("0.01"), ROUND_HALF_UP)


def export(api, target: str, document: str, **dates):
    return api.get("/reports/accounting-export", query_string={"target": target, "document": document, **(dates or MARCH)})


def rows(answer) -> tuple[list[str], list[dict]]:
    """The file as the tool would read it: header and rows, every cell text."""
    assert answer.status_code == 200, answer.get_data(as_text=True)
    reader = csv.DictReader(io.StringIO(answer.get_data(as_text=True), newline=""))
    return reader.fieldnames, list(reader)


def total(cells) -> Decimal:
    return sum((Decimal(cell) for cell in cells), Decimal("0.00"))


@pytest.fixture
def ledger(app, shop):
    """The invoices, payments and credit notes of the module docstring; their numbers by letter."""
    no_follow_up = {"follow_up": None}
    labour_only = shop.work_order(labor=[{"kind": "onsite", "minutes": 60}], parts=[], mileage=[], **no_follow_up)
    bodies = {
        "A": shop.work_order(**no_follow_up),
        "B": shop.work_order(
            labor=[{"kind": "onsite", "minutes": 45}], mileage=[],
            parts=[{"part_id": shop.capacitor["id"], "quantity": 1, "location_id": shop.warehouse_id}], **no_follow_up,
        ),
        "C": labour_only, "D": labour_only, "E": labour_only,
    }
    issued_on = {
        "A": date(2026, 3, 1), "B": date(2026, 3, 31), "C": date(2026, 2, 28), "D": date(2026, 4, 1), "E": date(2026, 3, 15),
    }
    invoice_ids = {}
    for letter, body in bodies.items():
        filed = shop.technician.post("/work-orders", json=body)
        assert filed.status_code == 201, filed.json
        invoice_ids[letter] = filed.json["invoice"]["id"]

    with app.app_context():
        invoices = {letter: db.session.get(Invoice, invoice_id) for letter, invoice_id in invoice_ids.items()}
        for letter, invoice in invoices.items():
            invoice.issue_date, invoice.due_date = issued_on[letter], issued_on[letter] + timedelta(days=14)
        void = invoices["E"]
        void.status, void.voided_at, void.void_reason = InvoiceStatus.VOID, datetime.now(UTC), "Filed twice"

        def pay(letter, amount, received_on, **more):
            invoice_id = invoices[letter].id
            return Payment(invoice_id=invoice_id, amount=Decimal(amount), method="check", received_on=received_on, **more)

        db.session.add_all([
            pay("A", "100.00", date(2026, 3, 1), reference="1234"),
            pay("A", "200.00", date(2026, 3, 31)),
            pay("B", "50.00", date(2026, 3, 10), reversed_at=datetime.now(UTC), reversal_reason="Bounced"),
            pay("A", "75.00", date(2026, 4, 1)),
            pay("C", "25.00", date(2026, 2, 28)),
        ])

        def credit(number, letter, issue_date, subtotal, tax, reason):
            invoice = invoices[letter]
            return CreditNote(
                number=number, invoice_id=invoice.id, customer_id=invoice.customer_id, issue_date=issue_date, reason=reason,
                subtotal=Decimal(subtotal), tax=Decimal(tax), total=Decimal(subtotal) + Decimal(tax),
            )

        db.session.add_all([
            credit("CN-2026-000001", "A", date(2026, 3, 31), "50.00", "4.13", 'Fan noise, "goodwill" credit'),
            credit("CN-2026-000002", "B", date(2026, 4, 1), "10.00", "0.83", "Outside the range"),
            credit("CN-2026-000003", "C", date(2026, 3, 1), "20.00", "1.65", "Travel charged twice"),
        ])
        db.session.commit()
        return {letter: invoice.number for letter, invoice in invoices.items()}


def ledger_sum(app, query) -> Decimal:
    with app.app_context():
        return Decimal(str(db.session.scalar(query))).quantize(Decimal("0.01"))


@pytest.mark.parametrize("target", ["quickbooks", "xero"])
def test_invoice_lines_add_up_to_each_invoice_and_to_the_ledger(app, shop, ledger, target):
    header, lines = rows(export(shop.owner, target, "invoices"))
    assert header == HEADERS[(target, "invoices")]
    invoice_column, tax_column = COLUMNS[target]["invoice"], COLUMNS[target]["tax"]

    assert [line[invoice_column] for line in lines] == [ledger["A"]] * 5 + [ledger["B"]] * 2  # every line, in order
    with app.app_context():
        stored = {invoice.number: invoice for invoice in db.session.scalars(select(Invoice))}
        for number in (ledger["A"], ledger["B"]):
            own = [line for line in lines if line[invoice_column] == number]
            assert sum(line_amount(target, line) for line in own) == stored[number].subtotal
            assert total(line[tax_column] for line in own) == stored[number].tax
    assert sum(line_amount(target, line) for line in lines) == Decimal("651.63")
    assert total(line[tax_column] for line in lines) == Decimal("25.99")

    in_march = (Invoice.issue_date.between(date(2026, 3, 1), date(2026, 3, 31)), Invoice.status != InvoiceStatus.VOID)
    subtotals, taxes = (ledger_sum(app, select(func.sum(column)).where(*in_march)) for column in (Invoice.subtotal, Invoice.tax))
    assert sum(line_amount(target, line) for line in lines) == subtotals
    assert total(line[tax_column] for line in lines) == taxes


def test_quickbooks_invoice_lines_carry_the_invoice_as_issued(shop, ledger):
    _header, lines = rows(export(shop.owner, "quickbooks", "invoices"))
    fan_motor = next(line for line in lines if "FAN-MTR-5" in line["ItemDescription"])
    assert fan_motor == {
        "InvoiceNo": ledger["A"], "Customer": "Harbor View Dental", "InvoiceDate": "03/01/2026", "DueDate": "03/15/2026",
        "Memo": "PO-5531", "Item(Product/Service)": "Parts", "ItemDescription": "FAN-MTR-5 Condenser fan motor",
        "ItemQuantity": "1.00", "ItemRate": "189.00", "ItemAmount": "189.00", "ItemTaxCode": "TAX", "ItemTaxAmount": "15.59",
    }
    labour = lines[0]
    priced = ("Item(Product/Service)", "ItemQuantity", "ItemRate", "ItemAmount", "ItemTaxCode", "ItemTaxAmount")
    assert [labour[column] for column in priced] == ["Labor", "1.58", "125.00", "197.50", "NON", "0.00"]  # 95 min


def test_xero_invoice_lines_name_the_account_and_tax_rate(shop, ledger):
    _header, lines = rows(export(shop.owner, "xero", "invoices"))
    capacitor = next(line for line in lines if line["*InvoiceNumber"] == ledger["B"] and "CAP-45-5" in line["*Description"])
    assert capacitor == {
        "*ContactName": "Harbor View Dental", "EmailAddress": "office@harborview.example", "*InvoiceNumber": ledger["B"],
        "Reference": "PO-5531", "*InvoiceDate": "31/03/2026", "*DueDate": "14/04/2026", "*Description": "CAP-45-5 Run capacitor",
        "*Quantity": "1.00", "*UnitAmount": "42.00", "*AccountCode": "200", "*TaxType": "Tax on Sales", "TaxAmount": "3.47",
    }
    assert {line["*TaxType"] for line in lines if line["TaxAmount"] == "0.00"} == {"Tax Exempt"}


@pytest.mark.parametrize("target", ["quickbooks", "xero"])
def test_void_and_out_of_range_invoices_are_left_out(shop, ledger, target):
    _header, lines = rows(export(shop.owner, target, "invoices"))
    numbers = {line[COLUMNS[target]["invoice"]] for line in lines}
    assert numbers == {ledger["A"], ledger["B"]}  # not C (day before), D (day after) or E (void)
    days = {line[COLUMNS[target]["invoice_date"]] for line in lines}
    assert days == {date(2026, 3, 1).strftime(DAY_FORMATS[target]), date(2026, 3, 31).strftime(DAY_FORMATS[target])}


@pytest.mark.parametrize("target", ["quickbooks", "xero"])
def test_a_range_of_one_day_takes_that_days_documents(shop, ledger, target):
    _header, lines = rows(export(shop.owner, target, "invoices", **{"from": "2026-02-28", "to": "2026-02-28"}))
    assert {line[COLUMNS[target]["invoice"]] for line in lines} == {ledger["C"]}
    _header, payments = rows(export(shop.owner, target, "payments", **{"from": "2026-04-01", "to": "2026-04-01"}))
    assert [payment[COLUMNS[target]["payment_amount"]] for payment in payments] == ["75.00"]


@pytest.mark.parametrize("target", ["quickbooks", "xero"])
def test_payments_are_the_ones_received_and_not_reversed(app, shop, ledger, target):
    header, payments = rows(export(shop.owner, target, "payments"))
    assert header == HEADERS[(target, "payments")]
    amount, day = COLUMNS[target]["payment_amount"], COLUMNS[target]["payment_date"]
    assert [(payment[day], payment[amount]) for payment in payments] == [
        (date(2026, 3, 1).strftime(DAY_FORMATS[target]), "100.00"),
        (date(2026, 3, 31).strftime(DAY_FORMATS[target]), "200.00"),
    ]  # the reversed 50.00 is not there, nor 02/28 and 04/01
    received = select(func.sum(Payment.amount)).where(
        Payment.received_on.between(date(2026, 3, 1), date(2026, 3, 31)), Payment.reversed_at.is_(None)
    )
    assert total(payment[amount] for payment in payments) == ledger_sum(app, received) == Decimal("300.00")


def test_a_payment_says_who_paid_which_invoice_and_how(shop, ledger):
    _header, quickbooks = rows(export(shop.owner, "quickbooks", "payments"))
    assert quickbooks[0] == {
        "Date": "03/01/2026", "Description": f"Harbor View Dental, {ledger['A']}, check 1234", "Amount": "100.00",
    }
    _header, xero = rows(export(shop.owner, "xero", "payments"))
    assert xero[1] == {
        "*Date": "31/03/2026", "*Amount": "200.00", "Payee": "Harbor View Dental",
        "Description": f"Harbor View Dental, {ledger['A']}, check", "Reference": ledger["A"],
    }


@pytest.mark.parametrize("target", ["quickbooks", "xero"])
def test_credit_notes_are_their_own_file_one_row_each(app, shop, ledger, target):
    header, notes = rows(export(shop.owner, target, "credit_notes"))
    assert header == HEADERS[(target, "credit_notes")]
    columns = COLUMNS[target]
    # By date; 000002 is April's.
    assert [note[columns["credit_note"]] for note in notes] == ["CN-2026-000003", "CN-2026-000001"]
    in_march = CreditNote.issue_date.between(date(2026, 3, 1), date(2026, 3, 31))
    subtotals, taxes = (ledger_sum(app, select(func.sum(column)).where(in_march)) for column in (CreditNote.subtotal, CreditNote.tax))
    credited, tax = total(note[columns["credit_amount"]] for note in notes), total(note[columns["tax"]] for note in notes)
    assert (credited, tax) == (subtotals, taxes) == (Decimal("70.00"), Decimal("5.78"))


def test_a_credit_note_row_carries_its_reason_and_invoice(shop, ledger):
    _header, quickbooks = rows(export(shop.owner, "quickbooks", "credit_notes"))
    assert quickbooks[1] == {
        "CreditMemoNo": "CN-2026-000001", "Customer": "Harbor View Dental", "CreditMemoDate": "03/31/2026", "Memo": ledger["A"],
        "ItemDescription": 'Fan noise, "goodwill" credit', "ItemAmount": "50.00", "ItemTaxCode": "TAX", "ItemTaxAmount": "4.13",
    }
    _header, xero = rows(export(shop.owner, "xero", "credit_notes"))
    assert xero[0] == {
        "*ContactName": "Harbor View Dental", "EmailAddress": "office@harborview.example", "*CreditNoteNumber": "CN-2026-000003",
        "Reference": ledger["C"], "*CreditNoteDate": "01/03/2026", "*Description": "Travel charged twice", "*Quantity": "1.00",
        "*UnitAmount": "20.00", "*AccountCode": "200", "*TaxType": "Tax on Sales", "TaxAmount": "1.65",
    }


def test_the_file_is_a_csv_download_named_for_what_it_holds(shop):
    answer = export(shop.owner, "xero", "credit_notes")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="xero-credit-notes-2026-03-01-to-2026-03-31.csv"'


@pytest.mark.parametrize("document", ["invoices", "credit_notes", "payments"])
def test_a_range_without_documents_is_a_header_only(shop, document):
    header, found = rows(export(shop.owner, "quickbooks", document))
    assert header == HEADERS[("quickbooks", document)]
    assert found == []


@pytest.mark.parametrize("role", ["dispatcher", "technician"])
def test_only_the_owner_may_export(api_as, role):
    assert export(api_as(role), "quickbooks", "invoices").status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"target": "sage", "document": "invoices", **MARCH}, "target"),
        ({"target": "xero", "document": "bills", **MARCH}, "document"),
        ({"target": "xero", "document": "invoices", "from": "2026-03-31", "to": "2026-03-01"}, "to"),
        ({"target": "xero", "document": "invoices", "from": "2026-02-30", "to": "2026-03-31"}, "from"),
        ({"target": "xero", "document": "invoices", "from": "2026-03-01"}, "to"),
        ({"target": "xero", "document": "invoices", "month": "2026-03", **MARCH}, "month"),
    ],
)
def test_a_bad_request_is_refused_by_field(owner_api, query, field):
    answer = owner_api.get("/reports/accounting-export", query_string=query)
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert field in answer.json["errors"]
