"""The invoice as a PDF (fpdf2): what the customer receives and prints."""
import io
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from sqlalchemy import text

from dispatch.company.models import CompanySettings
from dispatch.core.files import open_stored_file
from dispatch.core.time import UtcDateTime, company_date
from dispatch.extensions import db
from dispatch.invoicing.models import Invoice
from dispatch.invoicing.pdf_fonts import add_parsed_font, open_smallest_programs, parsed_font

# A Unicode font when the machine has one (names like "Zoë" or "Kraków"); else the PDF core font.
UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
UNICODE_BOLD_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
COLUMNS = (("Description", 95, "L"), ("Qty", 20, "R"), ("Unit price", 35, "R"), ("Amount", 35, "R"))


def has_unicode_fonts() -> bool:
    return UNICODE_FONT.exists() and UNICODE_BOLD_FONT.exists()


def parse_fonts() -> None:
    """Parse the fonts now, e.g. in `dispatch worker` before it forks a work horse per job: each inherits them."""
    if has_unicode_fonts():
        parsed_font(UNICODE_FONT, "")
        parsed_font(UNICODE_BOLD_FONT, "B")


class DocumentPdf(FPDF):
    """The page every document we send is printed on: paper, fonts, letterhead, line table, totals."""

    def __init__(self):
        super().__init__(format="Letter")
        self.set_auto_page_break(auto=True, margin=18)
        if has_unicode_fonts():
            for style, path in (("", UNICODE_FONT), ("B", UNICODE_BOLD_FONT)):
                add_parsed_font(self, "Body", style, path)
            self.font_name, self.is_unicode = "Body", True
        else:
            self.font_name, self.is_unicode = "Helvetica", False

    def output(self, *args, **kwargs):
        open_smallest_programs(self)
        return super().output(*args, **kwargs)

    def text(self, value) -> str:
        value = "" if value is None else str(value)
        return value if self.is_unicode else value.encode("latin-1", "replace").decode("latin-1")

    def write_line(self, value, size=10, bold=False, height=5):
        self.set_font(self.font_name, "B" if bold else "", size)
        self.multi_cell(0, height, self.text(value), new_x="LMARGIN", new_y="NEXT")

    def letterhead(self, company: CompanySettings, title: str) -> None:
        self.write_line(company.name, size=16, bold=True, height=8)
        if company.address:
            self.write_line(company.address)
        self.ln(4)
        self.write_line(title, size=14, bold=True, height=7)

    def addressee(self, heading: str, customer) -> None:
        self.write_line(heading, bold=True)
        self.write_line(customer.name)
        if customer.address:
            self.write_line(customer.address)
        self.write_line(customer.email)
        self.ln(4)

    def line_table(self, lines) -> None:
        """Description, quantity, unit price, amount; long descriptions wrap rather than being cut."""
        self.column_table(
            COLUMNS,
            [[self.text(line.description), _quantity(line.quantity), _money(line.unit_price), _money(line.amount)] for line in lines],
        )
        self.ln(2)

    def column_table(self, columns, rows, size: int = 10, line_height: int = 6) -> None:
        """A table under a heading row; `columns` are (title, width in mm, "L" or "R") and set each row's cells."""
        self.set_font(self.font_name, "", size)
        with self.table(
            width=sum(width for _title, width, _align in columns),
            col_widths=[width for _title, width, _align in columns],
            text_align=[align for _title, _width, align in columns],
            borders_layout="HORIZONTAL_LINES",
            line_height=line_height,
            align="LEFT",
        ) as table:
            table.row([title for title, _width, _align in columns])
            for row in rows:
                table.row(row)

    def totals(self, rows: list[tuple[str, Decimal, bool]]) -> None:
        """(label, amount, is_bold) rows, right-aligned under the amount column."""
        label_width = sum(width for _title, width, _align in COLUMNS[:-1])
        for label, amount, is_bold in rows:
            self.set_font(self.font_name, "B" if is_bold else "", 11 if is_bold else 10)
            self.cell(label_width, 6, label, align="R")
            self.cell(COLUMNS[-1][1], 6, _money(amount), align="R")
            self.ln()
        self.ln(4)


def render_invoice_pdf(invoice: Invoice, company: CompanySettings) -> bytes:
    pdf = DocumentPdf()
    pdf.add_page()
    pdf.set_title(f"Invoice {invoice.number}")
    pdf.letterhead(company, f"INVOICE {invoice.number}")
    details = [f"Issued: {invoice.issue_date.isoformat()}", f"Due: {invoice.due_date.isoformat()}"]
    if invoice.work_order_number:
        details.append(f"Work order: {invoice.work_order_number}")
    if invoice.po_number:
        details.append(f"PO number: {invoice.po_number}")
    pdf.write_line("    ".join(details))
    pdf.ln(3)
    pdf.addressee("Bill to", invoice.customer)
    pdf.line_table(invoice.lines)
    pdf.totals([
        ("Subtotal", invoice.subtotal, False),
        (f"Tax {invoice.tax_rate_percent.normalize():f} %", invoice.tax, False),
        ("Total", invoice.total, True),
        ("Balance due", invoice.balance_due, True),
    ])
    _how_to_pay(pdf, invoice, company)
    _customer_sign_off(pdf, invoice)
    return bytes(pdf.output())


# Read by table, not model: invoicing takes values from work orders and never imports them.
SIGN_OFF = text(
    "SELECT signed_by, signed_at, signature_path FROM work_orders WHERE id = :id AND signature_path IS NOT NULL"
).columns(signed_at=UtcDateTime)


def _customer_sign_off(pdf: DocumentPdf, invoice: Invoice) -> None:
    """The signature the customer drew on the technician's phone, under the name they typed."""
    signed = db.session.execute(SIGN_OFF, {"id": invoice.work_order_id}).first() if invoice.work_order_id else None
    if signed is None:
        return
    try:
        with open_stored_file(signed.signature_path) as stored:
            signature = io.BytesIO(stored.read())
    except FileNotFoundError:
        return
    pdf.ln(4)
    pdf.write_line("Work approved by the customer:", bold=True)
    pdf.image(signature, w=60)
    pdf.write_line(f"{signed.signed_by}, {company_date(signed.signed_at).isoformat()}")


def _how_to_pay(pdf: DocumentPdf, invoice: Invoice, company: CompanySettings) -> None:
    days = (invoice.due_date - invoice.issue_date).days
    terms = "Due on receipt" if days == 0 else f"Net {days} days"
    pdf.write_line(f"Payment terms: {terms}, due by {invoice.due_date.isoformat()}.", bold=True)
    pdf.write_line(
        f"How to pay: by check payable to {company.name}, by bank transfer, or by card over the phone. "
        f"Please quote invoice number {invoice.number} with your payment."
    )


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _quantity(quantity: Decimal) -> str:
    return f"{quantity.normalize():f}"
