"""The estimate as a PDF (fpdf2): what the customer receives, prints and decides on."""
from dispatch.company.models import CompanySettings
from dispatch.estimates.models import Estimate
from dispatch.invoicing.pdf import DocumentPdf


def render_estimate_pdf(estimate: Estimate, company: CompanySettings) -> bytes:
    pdf = DocumentPdf()
    pdf.add_page()
    pdf.set_title(f"Estimate {estimate.number}")
    pdf.letterhead(company, f"ESTIMATE {estimate.number}")
    pdf.write_line(f"Issued: {estimate.issue_date.isoformat()}    Valid until: {estimate.valid_until.isoformat()}")
    pdf.ln(3)
    pdf.addressee("Prepared for", estimate.customer)
    pdf.line_table(estimate.lines)
    pdf.totals([
        ("Subtotal", estimate.subtotal, False),
        (f"Tax {estimate.tax_rate_percent.normalize():f} %", estimate.tax, False),
        ("Total", estimate.total, True),
    ])
    _terms(pdf, estimate)
    return bytes(pdf.output())


def _terms(pdf: DocumentPdf, estimate: Estimate) -> None:
    if estimate.notes:
        pdf.write_line("Notes", bold=True)
        pdf.write_line(estimate.notes)
        pdf.ln(2)
    pdf.write_line(f"This estimate is valid until {estimate.valid_until.isoformat()}.", bold=True)
    pdf.write_line(
        "The invoice will be for the work actually done. "
        "Accept or decline this estimate through the link in our email."
    )

