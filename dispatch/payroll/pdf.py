"""The pay statement as a PDF (fpdf2): the period's lines grouped by kind, its totals, the year to date."""
from flask import Response

from dispatch.company.service import company_settings
from dispatch.invoicing.pdf import DocumentPdf
from dispatch.payroll.models import AccrualKind, PayStatement
from dispatch.payroll.runs import totals_by_kind, year_to_date

KIND_NAMES = {
    AccrualKind.REGULAR: "Regular hours",
    AccrualKind.OVERTIME: "Overtime",
    AccrualKind.COMMISSION: "Commission",
    AccrualKind.MILEAGE: "Mileage reimbursement",
    AccrualKind.BONUS: "Bonuses",
    AccrualKind.DEDUCTION: "Deductions",
}
COLUMNS = (("Worked on", 25, "L"), ("Description", 85, "L"), ("Hours / miles", 25, "R"), ("Rate", 20, "R"), ("Amount", 30, "R"))


def render_pay_statement_pdf(statement: PayStatement) -> bytes:
    run = statement.run
    pdf = DocumentPdf()
    pdf.add_page()
    pdf.set_title(f"Pay statement {statement.technician.name} {run.starts_on.isoformat()} to {run.ends_on.isoformat()}")
    pdf.letterhead(company_settings(), "PAY STATEMENT")
    pdf.write_line(f"{statement.technician.name}    Pay period: {run.starts_on.isoformat()} to {run.ends_on.isoformat()}")
    pdf.write_line(f"Payroll run on {run.run_at.date().isoformat()}    Hours worked: {statement.hours:.2f}")
    pdf.ln(3)
    for kind in AccrualKind:
        lines = [line for line in statement.lines if line.kind == kind]
        if lines:
            _kind_table(pdf, KIND_NAMES[kind], lines)
    period, ytd = totals_by_kind(statement.lines), year_to_date(statement)
    _totals_table(pdf, period, statement.total, ytd, sum(ytd.values()))
    return bytes(pdf.output())


def _kind_table(pdf: DocumentPdf, title: str, lines) -> None:
    pdf.write_line(title, bold=True)
    pdf.column_table(COLUMNS, [_line_cells(pdf, line) for line in lines], size=9, line_height=5)
    pdf.ln(3)


def _line_cells(pdf: DocumentPdf, line) -> list[str]:
    quantity = f"{line.hours:,.2f}" if line.hours is not None else (f"{line.miles:,.1f}" if line.miles is not None else "")
    return [
        line.worked_on.isoformat() + (" (late)" if line.is_late else ""),
        pdf.text(line.description or ""),
        quantity,
        "" if line.rate is None else f"{line.rate:,.2f}",
        f"{line.amount:,.2f}",
    ]


def _totals_table(pdf: DocumentPdf, period: dict, period_total, ytd: dict, ytd_total) -> None:
    pdf.write_line("Totals", bold=True)
    rows = [[KIND_NAMES[kind], f"{period[kind]:,.2f}", f"{ytd[kind]:,.2f}"] for kind in AccrualKind if period[kind] or ytd[kind]]
    pdf.column_table((("", 70, "L"), ("This period", 40, "R"), ("Year to date", 40, "R")), [*rows, ["Total pay", f"{period_total:,.2f}", f"{ytd_total:,.2f}"]])


def statement_pdf(statement: PayStatement) -> Response:
    run = statement.run
    filename = f"pay-statement-{run.starts_on.isoformat()}-to-{run.ends_on.isoformat()}.pdf"
    return Response(
        render_pay_statement_pdf(statement), mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )
