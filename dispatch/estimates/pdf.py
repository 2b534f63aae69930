"""The estimate as a PDF (fpdf2): what the customer receives, prints and decides on."""
from decimal import Decimal

from dispatch.company.models import CompanySettings
from dispatch.estimates.models import Estimate
from dispatch.invoicing.pdf import InvoicePdf

COLUMNS = (("Description", 95, "L"), ("Qty", 20, "R"), ("Unit price", 35, "R"), ("Amount", 35, "R"))


def render_estimate_pdf(estimate: Estimate, company: CompanySettings) -> bytes:
    # The invoice's page: the same paper, fonts and Unicode fallback for every document we send.
    pdf = InvoicePdf()
    pdf.add_page()
    pdf.set_title(f"Estimate {estimate.number}")
    _header(pdf, estimate, company)
    _lines(pdf, estimate)
    _totals(pdf, estimate)
    _terms(pdf, estimate)
    return bytes(pdf.output())


def _header(pdf: InvoicePdf, estimate: Estimate, company: CompanySettings) -> None:
    pdf.write_line(company.name, size=16, bold=True, height=8)
    if company.address:
        pdf.write_line(company.address)
    pdf.ln(4)
    pdf.write_line(f"ESTIMATE {estimate.number}", size=14, bold=True, height=7)
    pdf.write_line(f"Issued: {estimate.issue_date.isoformat()}    Valid until: {estimate.valid_until.isoformat()}")
    pdf.ln(3)
    pdf.write_line("Prepared for", bold=True)
    pdf.write_line(estimate.customer.name)
    if estimate.customer.address:
        pdf.write_line(estimate.customer.address)
    pdf.write_line(estimate.customer.email)
    pdf.ln(4)


def _lines(pdf: InvoicePdf, estimate: Estimate) -> None:
    # A table, not cells: an estimate's descriptions say what will be done, and wrap rather than be cut.
    pdf.set_font(pdf.font_name, "", 10)
    with pdf.table(
        width=sum(width for _title, width, _align in COLUMNS),
        col_widths=[width for _title, width, _align in COLUMNS],
        text_align=[align for _title, _width, align in COLUMNS],
        borders_layout="HORIZONTAL_LINES",
        line_height=6,
        align="LEFT",
    ) as table:
        table.row([title for title, _width, _align in COLUMNS])
        for line in estimate.lines:
            table.row([pdf.text(line.description), f"{line.quantity.normalize():f}", _money(line.unit_price), _money(line.amount)])
    pdf.ln(2)


def _totals(pdf: InvoicePdf, estimate: Estimate) -> None:
    label_width = sum(width for _title, width, _align in COLUMNS[:-1])
    for label, amount, bold in (
        ("Subtotal", estimate.subtotal, False),
        (f"Tax {estimate.tax_rate_percent.normalize():f} %", estimate.tax, False),
        ("Total", estimate.total, True),
    ):
        pdf.set_font(pdf.font_name, "B" if bold else "", 11 if bold else 10)
        pdf.cell(label_width, 6, label, align="R")
        pdf.cell(COLUMNS[-1][1], 6, _money(amount), align="R")
        pdf.ln()
    pdf.ln(4)


def _terms(pdf: InvoicePdf, estimate: Estimate) -> None:
    if estimate.notes:
        pdf.write_line("Notes", bold=True)
        pdf.write_line(estimate.notes)
        pdf.ln(2)
    pdf.write_line(f"This estimate is valid until {estimate.valid_until.isoformat()}.", bold=True)
    pdf.write_line(
        "The invoice will be for the work actually done. "
        "Accept or decline this estimate through the link in our email."
    )


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"
