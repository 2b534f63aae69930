"""The accountant's export: invoices, credit notes and payments as the CSV files QuickBooks Online and Xero import.

The ledger stays here; the files carry it across unchanged. Amounts are the
stored ones (a line's tax is its share of the invoice's), so the totals in the
accounting tool are the ledger's to the cent.
Void invoices and reversed payments are left out: in the ledger they never
counted, and importing them would only add documents to cancel by hand.
README.md ("Accounting export") has the column mapping.
"""
import csv
import enum
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby

from sqlalchemy import select

from dispatch.core.money import to_cents
from dispatch.customers.models import Customer
from dispatch.extensions import db
from dispatch.invoicing.models import CreditNote, Invoice, InvoiceLine, InvoiceStatus, LineKind, Payment

ZERO = Decimal("0.00")


class Target(enum.StrEnum):
    QUICKBOOKS = "quickbooks"
    XERO = "xero"


class Document(enum.StrEnum):
    INVOICES = "invoices"
    CREDIT_NOTES = "credit_notes"
    PAYMENTS = "payments"


# QuickBooks Online makes a product/service of each name it has not seen, so the
# bookkeeper can point labour, parts and mileage at their own income accounts.
QUICKBOOKS_ITEMS = {LineKind.LABOR: "Labor", LineKind.PART: "Parts", LineKind.MILEAGE: "Mileage", LineKind.LATE_FEE: "Late fees"}
# Xero refuses a line without an account and a tax rate it knows by name: these
# are the defaults of a new Xero organisation (account 200 is "Sales").
XERO_SALES_ACCOUNT = "200"
XERO_TAX_TYPES = {True: "Tax on Sales", False: "Tax Exempt"}
QUICKBOOKS_TAX_CODES = {True: "TAX", False: "NON"}

# A column is the tool's header and what goes under it: a field of the document, or a value made from it.
Column = tuple[str, str | Callable[[dict], object]]

LAYOUTS: dict[Target, dict[Document, tuple[Column, ...]]] = {
    Target.QUICKBOOKS: {
        Document.INVOICES: (
            ("InvoiceNo", "number"),
            ("Customer", "customer"),
            ("InvoiceDate", "issued_on"),
            ("DueDate", "due_on"),
            ("Memo", "reference"),
            ("Item(Product/Service)", lambda line: QUICKBOOKS_ITEMS[line["kind"]]),
            ("ItemDescription", "description"),
            ("ItemQuantity", "quantity"),
            ("ItemRate", "unit_price"),
            ("ItemAmount", "amount"),
            ("ItemTaxCode", lambda line: QUICKBOOKS_TAX_CODES[line["is_taxable"]]),
            ("ItemTaxAmount", "tax"),
        ),
        Document.CREDIT_NOTES: (
            ("CreditMemoNo", "number"),
            ("Customer", "customer"),
            ("CreditMemoDate", "issued_on"),
            ("Memo", "invoice_number"),
            ("ItemDescription", "description"),
            ("ItemAmount", "amount"),
            ("ItemTaxCode", lambda note: QUICKBOOKS_TAX_CODES[note["tax"] > 0]),
            ("ItemTaxAmount", "tax"),
        ),
        # QuickBooks Online imports no customer payments: they go in as bank
        # transactions ("Date, Description, Amount") and are matched to the invoices there.
        Document.PAYMENTS: (
            ("Date", "received_on"),
            ("Description", "description"),
            ("Amount", "amount"),
        ),
    },
    Target.XERO: {
        Document.INVOICES: (
            ("*ContactName", "customer"),
            ("EmailAddress", "email"),
            ("*InvoiceNumber", "number"),
            ("Reference", "reference"),
            ("*InvoiceDate", "issued_on"),
            ("*DueDate", "due_on"),
            ("*Description", "description"),
            ("*Quantity", "quantity"),
            ("*UnitAmount", "unit_price"),
            ("*AccountCode", lambda _line: XERO_SALES_ACCOUNT),
            ("*TaxType", lambda line: XERO_TAX_TYPES[line["is_taxable"]]),
            ("TaxAmount", "tax"),
        ),
        Document.CREDIT_NOTES: (
            ("*ContactName", "customer"),
            ("EmailAddress", "email"),
            ("*CreditNoteNumber", "number"),
            ("Reference", "invoice_number"),
            ("*CreditNoteDate", "issued_on"),
            ("*Description", "description"),
            ("*Quantity", lambda _note: Decimal(1)),
            ("*UnitAmount", "amount"),
            ("*AccountCode", lambda _note: XERO_SALES_ACCOUNT),
            ("*TaxType", lambda note: XERO_TAX_TYPES[note["tax"] > 0]),
            ("TaxAmount", "tax"),
        ),
        # Xero imports no customer payments either: its bank statement layout, reconciled against the invoices.
        Document.PAYMENTS: (
            ("*Date", "received_on"),
            ("*Amount", "amount"),
            ("Payee", "customer"),
            ("Description", "description"),
            ("Reference", "invoice_number"),
        ),
    },
}

DATE_FORMATS = {Target.QUICKBOOKS: "%m/%d/%Y", Target.XERO: "%d/%m/%Y"}


@dataclass(frozen=True)
class AccountingExport:
    filename: str
    text: str


def export_documents(target: Target, document: Document, first_day: date, last_day: date) -> AccountingExport:
    """One CSV file: the documents dated within first_day..last_day, both included, laid out for the target."""
    documents = DOCUMENTS[document](first_day, last_day)
    columns = LAYOUTS[target][document]
    date_format = DATE_FORMATS[target]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header for header, _value in columns)
    for row in documents:
        writer.writerow(_cell(_value_of(row, value), date_format) for _header, value in columns)
    return AccountingExport(f"{target}-{document.replace('_', '-')}-{first_day}-to-{last_day}.csv", out.getvalue())


def _value_of(row: dict, value: str | Callable[[dict], object]) -> object:
    return value(row) if callable(value) else row[value]


def _cell(value: object, date_format: str) -> object:
    if isinstance(value, date):
        return value.strftime(date_format)
    if isinstance(value, Decimal):
        return f"{to_cents(value):.2f}"
    return "" if value is None else value


def _invoice_lines(first_day: date, last_day: date) -> Iterable[dict]:
    """One row per line of every invoice issued in the range and not void, in invoice order."""
    rows = db.session.execute(
        select(
            Invoice.id.label("invoice_id"),
            Invoice.number,
            Invoice.issue_date.label("issued_on"),
            Invoice.due_date.label("due_on"),
            Invoice.po_number.label("reference"),
            Invoice.tax.label("invoice_tax"),
            Customer.name.label("customer"),
            Customer.email,
            InvoiceLine.kind,
            InvoiceLine.description,
            InvoiceLine.quantity,
            InvoiceLine.unit_price,
            InvoiceLine.amount,
            InvoiceLine.is_taxable,
        )
        .join(Customer, Customer.id == Invoice.customer_id)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .where(Invoice.issue_date.between(first_day, last_day), Invoice.status != InvoiceStatus.VOID)
        .order_by(Invoice.issue_date, Invoice.number, InvoiceLine.position)
    ).mappings()
    for _invoice_id, lines in groupby(rows, key=lambda row: row["invoice_id"]):
        lines = [dict(line) for line in lines]
        for line, tax in zip(lines, _share_of_tax(lines[0]["invoice_tax"], lines)):
            yield {**line, "tax": tax}


def _share_of_tax(invoice_tax: Decimal, lines: list[dict]) -> list[Decimal]:
    """The invoice's tax spread over its taxable lines by amount, adding up to it exactly.

    Taxing each line on its own and rounding would drift a cent from the invoice,
    which taxed the lines' sum: each line gets the rounded tax on the taxable amount
    so far, less what the lines before it got.
    """
    taxable = sum((line["amount"] for line in lines if line["is_taxable"]), ZERO)
    shares, so_far, given = [], ZERO, ZERO
    for line in lines:
        if not line["is_taxable"] or not taxable:
            shares.append(ZERO)
            continue
        so_far += line["amount"]
        due_so_far = to_cents(invoice_tax * so_far / taxable)
        shares.append(due_so_far - given)
        given = due_so_far
    return shares


def _credit_notes(first_day: date, last_day: date) -> Iterable[dict]:
    """One row per credit note issued in the range: the reason as its description, net of tax."""
    return db.session.execute(
        select(
            CreditNote.number,
            CreditNote.issue_date.label("issued_on"),
            CreditNote.reason.label("description"),
            CreditNote.subtotal.label("amount"),
            CreditNote.tax,
            Customer.name.label("customer"),
            Customer.email,
            Invoice.number.label("invoice_number"),
        )
        .join(Customer, Customer.id == CreditNote.customer_id)
        .join(Invoice, Invoice.id == CreditNote.invoice_id)
        .where(CreditNote.issue_date.between(first_day, last_day))
        .order_by(CreditNote.issue_date, CreditNote.number)
    ).mappings()


def _payments(first_day: date, last_day: date) -> Iterable[dict]:
    """One row per payment received in the range and not reversed."""
    rows = db.session.execute(
        select(
            Payment.received_on,
            Payment.amount,
            Payment.method,
            Payment.reference,
            Invoice.number.label("invoice_number"),
            Customer.name.label("customer"),
        )
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Payment.received_on.between(first_day, last_day), Payment.reversed_at.is_(None))
        .order_by(Payment.received_on, Payment.id)
    ).mappings()
    for row in rows:
        # The bank line's only text: who paid which invoice, and how, for matching it by eye.
        how = row["method"].replace("_", " ") + (f" {row['reference']}" if row["reference"] else "")
        yield {**row, "description": f"{row['customer']}, {row['invoice_number']}, {how}"}


DOCUMENTS: dict[Document, Callable[[date, date], Iterable[dict]]] = {
    Document.INVOICES: _invoice_lines,
    Document.CREDIT_NOTES: _credit_notes,
    Document.PAYMENTS: _payments,
}
