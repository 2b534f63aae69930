"""The invoice as a PDF (fpdf2): what the customer receives and prints."""
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF

from dispatch.company.models import CompanySettings
from dispatch.invoicing.models import Invoice

# A Unicode font when the machine has one (names like "Zoë" or "Kraków"); else the PDF core font.
UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
UNICODE_BOLD_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
COLUMNS = (("Description", 95, "L"), ("Qty", 20, "R"), ("Unit price", 35, "R"), ("Amount", 35, "R"))


class InvoicePdf(FPDF):
    def __init__(self):
        super().__init__(format="Letter")
        self.set_auto_page_break(auto=True, margin=18)
        if UNICODE_FONT.exists() and UNICODE_BOLD_FONT.exists():
            self.add_font("Body", "", str(UNICODE_FONT))
            self.add_font("Body", "B", str(UNICODE_BOLD_FONT))
            self.font_name, self.is_unicode = "Body", True
        else:
            self.font_name, self.is_unicode = "Helvetica", False

    def text(self, value) -> str:
        value = "" if value is None else str(value)
        return value if self.is_unicode else value.encode("latin-1", "replace").decode("latin-1")

    def write_line(self, value, size=10, bold=False, height=5):
        self.set_font(self.font_name, "B" if bold else "", size)
        self.multi_cell(0, height, self.text(value), new_x="LMARGIN", new_y="NEXT")


def render_invoice_pdf(invoice: Invoice, company: CompanySettings) -> bytes:
    pdf = InvoicePdf()
    pdf.add_page()
    pdf.set_title(f"Invoice {invoice.number}")
    _header(pdf, invoice, company)
    _lines(pdf, invoice)
    _totals(pdf, invoice)
    _how_to_pay(pdf, invoice, company)
    return bytes(pdf.output())


def _header(pdf: InvoicePdf, invoice: Invoice, company: CompanySettings) -> None:
    pdf.write_line(company.name, size=16, bold=True, height=8)
    if company.address:
        pdf.write_line(company.address)
    pdf.ln(4)
    pdf.write_line(f"INVOICE {invoice.number}", size=14, bold=True, height=7)
    details = [f"Issued: {invoice.issue_date.isoformat()}", f"Due: {invoice.due_date.isoformat()}"]
    if invoice.work_order_number:
        details.append(f"Work order: {invoice.work_order_number}")
    if invoice.po_number:
        details.append(f"PO number: {invoice.po_number}")
    pdf.write_line("    ".join(details))
    pdf.ln(3)
    pdf.write_line("Bill to", bold=True)
    pdf.write_line(invoice.customer.name)
    if invoice.customer.address:
        pdf.write_line(invoice.customer.address)
    pdf.write_line(invoice.customer.email)
    pdf.ln(4)


def _lines(pdf: InvoicePdf, invoice: Invoice) -> None:
    pdf.set_font(pdf.font_name, "B", 10)
    for title, width, align in COLUMNS:
        pdf.cell(width, 7, title, border="B", align=align)
    pdf.ln()
    pdf.set_font(pdf.font_name, "", 10)
    for line in invoice.lines:
        cells = (line.description, _quantity(line.quantity), _money(line.unit_price), _money(line.amount))
        for value, (_title, width, align) in zip(cells, COLUMNS):
            pdf.cell(width, 6, pdf.text(value)[:60], align=align)
        pdf.ln()
    pdf.ln(2)


def _totals(pdf: InvoicePdf, invoice: Invoice) -> None:
    label_width = sum(width for _title, width, _align in COLUMNS[:-1])
    for label, amount, bold in (
        ("Subtotal", invoice.subtotal, False),
        (f"Tax {invoice.tax_rate_percent.normalize():f} %", invoice.tax, False),
        ("Total", invoice.total, True),
        ("Balance due", invoice.balance_due, True),
    ):
        pdf.set_font(pdf.font_name, "B" if bold else "", 11 if bold else 10)
        pdf.cell(label_width, 6, label, align="R")
        pdf.cell(COLUMNS[-1][1], 6, _money(amount), align="R")
        pdf.ln()
    pdf.ln(4)


def _how_to_pay(pdf: InvoicePdf, invoice: Invoice, company: CompanySettings) -> None:
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
